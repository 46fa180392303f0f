// Prometheus metrics when several HTTP processes share one port (RBCD_HTTP_PROCESSES): a scrape
// lands on any one of them, which asks the primary for the metrics of all of them. The primary
// collects each serving process's metrics and adds them up with prom-client's aggregation
// (counters and histograms add up; a gauge uses its own aggregator). A process still starting
// (not listening yet) is left out; one replaced after a crash starts its counters from zero, which
// Prometheus reads as a counter reset.
import cluster, { type Worker } from 'node:cluster';
import { randomUUID } from 'node:crypto';
import { AggregatorRegistry, type Registry } from 'prom-client';

/** One process's metrics, as prom-client's Registry#getMetricsAsJSON gives them. */
type ProcessMetric = Awaited<ReturnType<Registry['getMetricsAsJSON']>>[number];

type Message =
  | { type: 'rbcd:metrics-ask'; id: string }
  | { type: 'rbcd:metrics-answer'; id: string; text?: string; error?: string }
  | { type: 'rbcd:metrics-collect'; id: string }
  | { type: 'rbcd:metrics-collected'; id: string; metrics?: ProcessMetric[]; error?: string };

/** How long the primary waits for every serving process's metrics. */
const COLLECT_TIMEOUT_MS = 5_000;
/** How long a process waits for the primary's answer (a little longer than the collection). */
const ANSWER_TIMEOUT_MS = COLLECT_TIMEOUT_MS + 1_000;

/** Whether this process is one of several HTTP processes started by a primary. */
export function isHttpProcessOfCluster(): boolean {
  return cluster.isWorker && typeof process.send === 'function';
}

/** Primary: answers a process's ask with the metrics of every serving process, added up. */
export function serveAggregatedMetrics(): void {
  const serving = new Set<Worker>();
  cluster.on('listening', (worker) => serving.add(worker));
  cluster.on('exit', (worker) => serving.delete(worker));
  const collections = new Map<string, (from: Worker, message: Message & { type: 'rbcd:metrics-collected' }) => void>();
  cluster.on('message', (from: Worker, message: Message) => {
    if (message?.type === 'rbcd:metrics-collected') collections.get(message.id)?.(from, message);
    if (message?.type !== 'rbcd:metrics-ask') return;
    collect([...serving], collections).then(
      (text) => from.send({ type: 'rbcd:metrics-answer', id: message.id, text } satisfies Message),
      (error: Error) =>
        from.send({ type: 'rbcd:metrics-answer', id: message.id, error: error.message } satisfies Message),
    );
  });
}

function collect(
  workers: Worker[],
  collections: Map<string, (from: Worker, message: Message & { type: 'rbcd:metrics-collected' }) => void>,
): Promise<string> {
  const id = randomUUID();
  return new Promise<ProcessMetric[][]>((resolve, reject) => {
    const gathered = new Map<Worker, ProcessMetric[]>();
    const timer = setTimeout(() => {
      collections.delete(id);
      reject(new Error(`${workers.length - gathered.size} of ${workers.length} processes did not answer`));
    }, COLLECT_TIMEOUT_MS);
    collections.set(id, (from, message) => {
      if (message.error !== undefined || !message.metrics) {
        clearTimeout(timer);
        collections.delete(id);
        return reject(new Error(message.error ?? 'no metrics'));
      }
      gathered.set(from, message.metrics);
      if (gathered.size < workers.length) return;
      clearTimeout(timer);
      collections.delete(id);
      resolve([...gathered.values()]);
    });
    for (const worker of workers) worker.send({ type: 'rbcd:metrics-collect', id } satisfies Message);
  }).then((all) => AggregatorRegistry.aggregate(all).metrics());
}

/** HTTP process: hands `registry`'s metrics to the primary when it collects (call once, at start). */
export function joinMetricsAggregation(registry: Registry): () => void {
  const onMessage = (message: Message) => {
    if (message?.type !== 'rbcd:metrics-collect') return;
    registry.getMetricsAsJSON().then(
      (metrics) => process.send?.({ type: 'rbcd:metrics-collected', id: message.id, metrics } satisfies Message),
      (error: Error) =>
        process.send?.({ type: 'rbcd:metrics-collected', id: message.id, error: error.message } satisfies Message),
    );
  };
  process.on('message', onMessage);
  return () => process.off('message', onMessage);
}

/** HTTP process: the metrics of every serving process, as the primary adds them up. */
export function aggregatedMetrics(): Promise<string> {
  const id = randomUUID();
  return new Promise((resolve, reject) => {
    const onMessage = (message: Message) => {
      if (message?.type !== 'rbcd:metrics-answer' || message.id !== id) return;
      done();
      if (message.error !== undefined) reject(new Error(`metrics of the HTTP processes: ${message.error}`));
      else resolve(message.text ?? '');
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error('metrics of the HTTP processes: no answer from the primary'));
    }, ANSWER_TIMEOUT_MS);
    const done = () => {
      clearTimeout(timer);
      process.off('message', onMessage);
    };
    process.on('message', onMessage);
    process.send?.({ type: 'rbcd:metrics-ask', id } satisfies Message);
  });
}

import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig, AuditSinkConfig } from '../../config/config.types';
import { AuditService } from '../audit.service';
import type { AuditEventView } from '../audit.types';
import { AuditSinkPositionRepository } from './audit-sink-position.repository';
import { transportFor, type SinkTransport } from './sink-transports';
import { JobHandlers, RetryAt } from '../../jobs/job-handlers';

const SINK_BACKOFF_CAP_MS = 5 * 60_000;
/** Events sent again after a syslog connection fails: the batches the receiver may have dropped. */
export function syslogResendOverlap(batchSize: number): number {
  return Math.max(100, 2 * batchSize);
}
/** CEF Device Version: the version of these messages' layout (not of the package). */
const MESSAGE_VERSION = '1';

/**
 * Runs one `audit-sink` job: sends the events after the sink's position, oldest first, batch by
 * batch, and moves the position only when a batch is acknowledged. One deliverer per sink at a
 * time (a lease in the database, a queue in this process), so the sink sees chain order; a batch
 * that fails is sent again whole (at least once: receivers de-duplicate on seq).
 */
@Injectable()
export class AuditSinkDelivery implements OnModuleInit {
  private readonly transports = new Map<string, SinkTransport>();
  private readonly inFlight = new Map<string, Promise<unknown>>();
  readonly owner = `${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  /** Feeds the failure counter of /metrics (set by MetricsService). */
  onFailure?: (sink: string) => void;

  constructor(
    private readonly audit: AuditService,
    private readonly positions: AuditSinkPositionRepository,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly handlers: JobHandlers,
  ) {}

  /** Audit-sink jobs: retried for as long as the sink is down (RetryAt waits for its own backoff). */
  onModuleInit(): void {
    this.handlers.register(
      'audit-sink',
      (job) =>
        this.deliver(String(job.payload.sink), typeof job.payload.seq === 'number' ? job.payload.seq : undefined),
      { retryForever: true, outbound: true },
    );
  }

  /** Delivers up to the end of the chain; `seq`: the event the job was made for (done once it is delivered). */
  deliver(sinkName: string, seq?: number): Promise<void> {
    const previous = this.inFlight.get(sinkName) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(() => this.deliverNow(sinkName, seq));
    this.inFlight.set(sinkName, run);
    void run
      .finally(() => this.inFlight.get(sinkName) === run && this.inFlight.delete(sinkName))
      .catch(() => undefined);
    return run;
  }

  private async deliverNow(sinkName: string, seq?: number): Promise<void> {
    const sink = this.config.audit.sinks.find((s) => s.name === sinkName);
    if (!sink) return; // removed from the configuration: nothing to deliver to
    let position = await this.positions.get(sinkName);
    if (seq !== undefined && position.deliveredSeq >= seq) return;
    if (position.nextAttemptAt && Date.parse(position.nextAttemptAt) > this.clock.now().getTime()) {
      throw new RetryAt(
        new Date(position.nextAttemptAt),
        `${sinkName}: waiting to retry (${position.lastError ?? 'down'})`,
      );
    }
    const leaseMs = Math.max(this.config.jobs.leaseMs, sink.timeoutMs * 3);
    if (!(await this.positions.lease(sinkName, this.owner, leaseMs))) {
      throw new RetryAt(new Date(this.clock.now().getTime() + 500), `${sinkName}: another replica is delivering`);
    }
    try {
      for (;;) {
        position = await this.positions.get(sinkName);
        const batch = await this.batchAfter(position.deliveredSeq, sink.batchSize);
        if (batch.length === 0) return;
        try {
          await this.transport(sink).send(batch);
        } catch (error) {
          const message = (error as Error).message;
          this.onFailure?.(sinkName);
          if (sink.type === 'syslog' && position.consecutiveFailures === 0) {
            // Plain TCP syslog has no acknowledgement from the application: a receiver that stopped
            // may have read the last batches without writing them. On the first failure after a
            // success, send an overlap again (at least once; `rbcd audit verify --allow-repeats` and
            // SIEMs skip identical repeats by seq).
            await this.positions.rewind(
              sinkName,
              Math.max(1, position.deliveredSeq + 1 - syslogResendOverlap(sink.batchSize)),
            );
          }
          const next = await this.positions.failed(sinkName, message, (n) => this.backoffMs(n));
          throw new RetryAt(next, `${sinkName}: ${message}`);
        }
        // A replay in the meantime: its rewind stands, the loop continues from there.
        await this.positions.advance(sinkName, position.generation, batch[batch.length - 1].seq);
        await this.positions.lease(sinkName, this.owner, leaseMs);
      }
    } finally {
      await this.positions.release(sinkName, this.owner).catch(() => undefined);
    }
  }

  private async batchAfter(deliveredSeq: number, size: number): Promise<AuditEventView[]> {
    const batch: AuditEventView[] = [];
    for await (const event of this.audit.eventsFrom(deliveredSeq + 1, deliveredSeq + size)) batch.push(event);
    return batch;
  }

  private transport(sink: AuditSinkConfig): SinkTransport {
    let transport = this.transports.get(sink.name);
    if (!transport) {
      transport = transportFor(sink, MESSAGE_VERSION);
      this.transports.set(sink.name, transport);
    }
    return transport;
  }

  private backoffMs(consecutiveFailures: number): number {
    const base = this.config.jobs.backoffBaseMs * 2 ** Math.max(0, consecutiveFailures - 1);
    return Math.min(base, SINK_BACKOFF_CAP_MS) + Math.floor(Math.random() * this.config.jobs.backoffBaseMs);
  }
}

import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { aggregatedMetrics, isHttpProcessOfCluster, joinMetricsAggregation } from '../cluster/cluster-metrics';
import { AuditSinkDelivery } from '../audit/sinks/audit-sink-delivery';
import { AuditSinksService } from '../audit/sinks/audit-sinks.service';
import { Clock } from '../common/clock';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';
import { directoryOperationObservers, type DirectoryOperationEvent } from '../directory/domain-connection';
import { GrantRepository } from '../grants/grant.repository';
import { JobQueue } from '../jobs/job-queue.service';
import { REQUEST_STATUSES } from '../requests/request.entity';
import { RequestRepository } from '../requests/request.repository';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * The Prometheus metrics of one application instance, in a registry of its own (not prom-client's
 * global one), so several instances in one process (tests) do not collide. Counters and histograms
 * are fed as things happen; the workflow gauges (jobs, requests, grants) are read from the database
 * at scrape time.
 */
@Injectable()
export class MetricsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(MetricsService.name);
  /** What this process counts and measures (HTTP, directory, reconciler, Node's own metrics). */
  readonly registry = new Registry();
  /** Gauges read from the database at scrape time: the same for every process of a deployment. */
  private readonly databaseRegistry = new Registry();

  readonly httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by method, route pattern and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by method, route pattern and status code',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly directoryDuration = new Histogram({
    name: 'rbcd_directory_operation_duration_seconds',
    help: 'Latency of directory (LDAP) operations by domain, operation and outcome',
    labelNames: ['domain', 'operation', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly directoryErrors = new Counter({
    name: 'rbcd_directory_operation_errors_total',
    help: 'Failed directory operations by domain, operation and error code',
    labelNames: ['domain', 'operation', 'code'] as const,
    registers: [this.registry],
  });
  readonly jobs = new Gauge({
    name: 'rbcd_jobs',
    help: 'Jobs in the durable queue by status',
    labelNames: ['status'] as const,
    registers: [this.databaseRegistry],
  });
  readonly oldestJobAge = new Gauge({
    name: 'rbcd_job_queue_oldest_age_seconds',
    help: 'Age of the oldest queued job (0 when the queue is empty)',
    registers: [this.databaseRegistry],
  });
  readonly requests = new Gauge({
    name: 'rbcd_requests',
    help: 'Requests by status',
    labelNames: ['status'] as const,
    registers: [this.databaseRegistry],
  });
  readonly activeGrants = new Gauge({
    name: 'rbcd_active_grants',
    help: 'Active grants ((target, principal) pairs in force)',
    registers: [this.databaseRegistry],
  });
  readonly breakGlassUnreviewed = new Gauge({
    name: 'rbcd_breakglass_unreviewed',
    help: 'Break-glass requests nobody has reviewed yet: pending (within reviewWithin) or overdue (escalated)',
    labelNames: ['state'] as const,
    registers: [this.databaseRegistry],
  });
  readonly driftFindingsTotal = new Counter({
    name: 'rbcd_drift_findings_total',
    help: 'Drift findings reported by the reconciler, by kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly driftFindings = new Gauge({
    name: 'rbcd_drift_findings',
    help: 'Drift findings of the last reconciliation, by kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
    aggregator: 'max', // set by the process that runs the reconciler only
  });
  readonly reconcileRuns = new Counter({
    name: 'rbcd_reconcile_runs_total',
    help: 'Reconciliation runs by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly reconcileLastRun = new Gauge({
    name: 'rbcd_reconcile_last_run_timestamp_seconds',
    help: 'When the last reconciliation finished (Unix time)',
    registers: [this.registry],
    aggregator: 'max', // set by the process that runs the reconciler only
  });

  readonly auditSinkLag = new Gauge({
    name: 'rbcd_audit_sink_lag_events',
    help: 'Audit events written but not yet acknowledged by the sink',
    labelNames: ['sink'] as const,
    registers: [this.databaseRegistry],
  });
  readonly auditSinkDelivered = new Gauge({
    name: 'rbcd_audit_sink_delivered_seq',
    help: 'Sequence number of the last audit event the sink acknowledged',
    labelNames: ['sink'] as const,
    registers: [this.databaseRegistry],
  });
  readonly auditSinkConsecutiveFailures = new Gauge({
    name: 'rbcd_audit_sink_consecutive_failures',
    help: 'Failed deliveries to the sink since its last success (0 when it is up)',
    labelNames: ['sink'] as const,
    registers: [this.databaseRegistry],
  });
  readonly auditSinkFailures = new Counter({
    name: 'rbcd_audit_sink_failures_total',
    help: 'Failed deliveries (batches) to the sink by this process',
    labelNames: ['sink'] as const,
    registers: [this.registry],
  });

  /** 1 in each process; the sum of a scrape is how many HTTP processes serve (RBCD_HTTP_PROCESSES). */
  readonly httpProcesses = new Gauge({
    name: 'rbcd_http_processes',
    help: 'HTTP processes serving behind this port (RBCD_HTTP_PROCESSES); each counts 1',
    registers: [this.registry],
  });

  private leaveAggregation?: () => void;
  private readonly observer = (event: DirectoryOperationEvent) => this.observeDirectory(event);

  constructor(
    private readonly requestRows: RequestRepository,
    private readonly grantRows: GrantRepository,
    private readonly queue: JobQueue,
    private readonly clock: Clock,
    private readonly sinks: AuditSinksService,
    sinkDelivery: AuditSinkDelivery,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    collectDefaultMetrics({ register: this.registry });
    this.httpProcesses.set(1);
    sinkDelivery.onFailure = (sink) => this.auditSinkFailures.inc({ sink });
  }

  onModuleInit(): void {
    for (const sink of this.config.audit.sinks) this.auditSinkFailures.inc({ sink: sink.name }, 0);
    directoryOperationObservers.add(this.observer);
    if (isHttpProcessOfCluster()) this.leaveAggregation = joinMetricsAggregation(this.registry);
  }

  onModuleDestroy(): void {
    directoryOperationObservers.delete(this.observer);
    this.leaveAggregation?.();
  }

  observeHttp(method: string, route: string, status: number, seconds: number): void {
    const labels = { method, route, status: String(status) };
    this.httpRequests.inc(labels);
    this.httpDuration.observe(labels, seconds);
  }

  /** Records a reconciliation: the findings of this run by kind. */
  observeReconcile(kinds: string[], allKinds: readonly string[], failed = false): void {
    this.reconcileRuns.inc({ outcome: failed ? 'error' : 'ok' });
    if (failed) return;
    this.reconcileLastRun.set(this.clock.now().getTime() / 1000);
    for (const kind of allKinds) this.driftFindings.set({ kind }, 0);
    for (const kind of kinds) {
      this.driftFindings.inc({ kind });
      this.driftFindingsTotal.inc({ kind });
    }
  }

  /** The exposition text, with the database gauges read now. */
  async render(): Promise<string> {
    try {
      await this.refreshGauges();
    } catch (error) {
      this.logger.warn(`metrics: database gauges not refreshed (${(error as Error).message})`);
    }
    // Several processes behind one port: a scrape shows all of them (the primary adds them up).
    const counted = isHttpProcessOfCluster() ? await aggregatedMetrics() : await this.registry.metrics();
    return counted + (await this.databaseRegistry.metrics());
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private observeDirectory(event: DirectoryOperationEvent): void {
    // Only this instance's domains (several applications may share one process in tests).
    if (!this.config.domains.includes(event.domain)) return;
    const domain = event.domain.name;
    this.directoryDuration.observe(
      { domain, operation: event.operation, outcome: event.error ? 'error' : 'ok' },
      event.seconds,
    );
    if (event.error) this.directoryErrors.inc({ domain, operation: event.operation, code: event.error });
  }

  private async refreshGauges(): Promise<void> {
    const [depth, byStatus, grants] = await Promise.all([
      this.queue.depth(),
      this.requestRows.countByStatus(),
      this.grantRows.countActive(),
    ]);
    this.jobs.set({ status: 'queued' }, depth.queued);
    this.jobs.set({ status: 'running' }, depth.running);
    this.jobs.set({ status: 'failed' }, depth.failed);
    const oldest = depth.oldestQueuedAt ? Date.parse(depth.oldestQueuedAt) : NaN;
    this.oldestJobAge.set(Number.isFinite(oldest) ? Math.max(0, (this.clock.now().getTime() - oldest) / 1000) : 0);
    for (const status of REQUEST_STATUSES) this.requests.set({ status }, 0);
    for (const row of byStatus) this.requests.set({ status: row.status }, row.count);
    this.activeGrants.set(grants);
    const { pending, overdue } = await this.requestRows.countUnreviewedBreakGlass(this.clock.nowIso());
    this.breakGlassUnreviewed.set({ state: 'pending' }, pending);
    this.breakGlassUnreviewed.set({ state: 'overdue' }, overdue);
    if (this.config.audit.sinks.length === 0) return;
    for (const sink of await this.sinks.list()) {
      this.auditSinkLag.set({ sink: sink.name }, sink.lag);
      this.auditSinkDelivered.set({ sink: sink.name }, sink.deliveredSeq);
      this.auditSinkConsecutiveFailures.set({ sink: sink.name }, sink.consecutiveFailures);
    }
  }
}

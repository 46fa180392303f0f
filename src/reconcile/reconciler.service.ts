import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { RepeatingTimer } from '../common/repeating-timer';
import { DomainError } from '../common/errors/domain-error';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';
import { TargetLocks } from '../database/target-lock';
import { UnitOfWork } from '../database/unit-of-work';
import type { DirectoryIntentEntity } from '../directory-writes/directory-intent.entity';
import { DirectoryIntentRepository } from '../directory-writes/directory-intent.repository';
import { DirectoryWrites, effectiveSids } from '../directory-writes/directory-writes';
import { JobQueue } from '../jobs/job-queue.service';
import { RequestRepository } from '../requests/request.repository';
import { planRbcdChange } from '../delegations/rbcd-change';
import { mapLimit } from '../delegations/target-expander';
import { DirectoryPort } from '../directory/directory.port';
import { GrantRepository } from '../grants/grant.repository';
import { MetricsService } from '../metrics/metrics.service';
import { EventPublisher } from '../notifications/event-publisher';
import { gainedWriters, recordedWriters, WriterBaselineRepository } from '../policy/writer-baseline.repository';
import type { RecordedWriter } from '../policy/writer-baseline.entity';
import { WritersService, writerName } from '../policy/writers.service';
import type { DirectoryObject } from '../directory/directory.types';
import { storedSddl } from '../delegations/delegation-reader';
import { DRIFT_KINDS, type DriftKind, findDrift, REPAIRABLE_KINDS } from './drift';

const TARGET_CONCURRENCY = 8;

export interface ReconcileTarget {
  dn: string;
  sid: string;
  domain: string;
}

export interface ReconcileFinding {
  target: ReconcileTarget;
  kind: DriftKind;
  sid?: string;
  message: string;
  /** Set when repair is on and the finding is repairable: whether the ACE is back. */
  repaired?: boolean;
  /** WRITER_ADDED for a writer-added finding (the issue's name for it). */
  code?: string;
}

export interface ReconcileReport {
  checkedTargets: number;
  findings: ReconcileFinding[];
  /** Targets that could not be read now (directory unavailable, access denied): checked next time. */
  errors: { target: ReconcileTarget; code: string; message: string }[];
}

interface TargetGrants {
  target: ReconcileTarget;
  active: Set<string>;
  known: Set<string>;
  /** Writes of the service on this target whose outcome never came (older than a job lease). */
  unfinished: DirectoryIntentEntity[];
}

/**
 * Watches the directory for changes made behind the service's back: reads the descriptor of every
 * target with an active grant (on a schedule, jobs.reconcileIntervalMs, and on demand) and reports
 * drift as `drift.detected` audit events and webhooks. With RBCD_DRIFT_REPAIR=true it re-adds the
 * ACEs of active grants through the same compare-and-swap write as the worker; it never removes an
 * ACE. A finding identical to one of the previous run (same target, kind, principal, stored value)
 * is not audited or announced again. An ACE that an unfinished write of the service added or removed
 * (a pending intent older than a job lease) is reported as `unfinished-write` (UNFINISHED_WRITE),
 * never as drift, and completed: left to the job that resumes it, taken back by a rollback job
 * (a failed request), or closed as `unknown` with what the directory shows.
 */
@Injectable()
export class Reconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(Reconciler.name);
  private readonly timer = new RepeatingTimer(
    () => this.reconcile('system'),
    (error) => this.logger.error({ err: error }, 'reconciliation failed'),
  );
  private chain: Promise<unknown> = Promise.resolve();
  private previous = new Set<string>();

  constructor(
    private readonly uow: UnitOfWork,
    private readonly locks: TargetLocks,
    private readonly writes: DirectoryWrites,
    private readonly intents: DirectoryIntentRepository,
    private readonly queue: JobQueue,
    private readonly directory: DirectoryPort,
    private readonly audit: AuditService,
    private readonly events: EventPublisher,
    private readonly metrics: MetricsService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly writers: WritersService,
    private readonly baselines: WriterBaselineRepository,
    private readonly requests: RequestRepository,
    private readonly grants: GrantRepository,
  ) {}

  onApplicationBootstrap(): void {
    const interval = this.config.jobs.reconcileIntervalMs;
    if (this.config.worker && interval > 0) this.timer.start(interval);
  }

  async onApplicationShutdown(): Promise<void> {
    this.timer.stop();
    await this.chain.catch(() => undefined);
  }

  /** Whether the schedule runs (for tests and diagnostics). */
  get scheduled(): boolean {
    return this.timer.running;
  }

  /** One reconciliation of every target with an active grant; runs are serialised per process. */
  reconcile(actor: string): Promise<ReconcileReport> {
    const run = this.chain.catch(() => undefined).then(() => this.runOnce(actor));
    this.chain = run;
    return run;
  }

  private async runOnce(actor: string): Promise<ReconcileReport> {
    let targets: TargetGrants[];
    try {
      targets = await this.loadTargets();
    } catch (error) {
      this.metrics.observeReconcile([], DRIFT_KINDS, true);
      throw error;
    }
    const current = new Set<string>();
    const report: ReconcileReport = { checkedTargets: 0, findings: [], errors: [] };
    const baselines = await this.baselines.forTargets(targets.map((t) => t.target.sid));
    await mapLimit(targets, TARGET_CONCURRENCY, async (t) => {
      let raw: Buffer | null;
      let target = t.target;
      let object: DirectoryObject;
      try {
        object = await this.directory.resolve(t.target.sid, {
          kind: 'target',
          domain: t.target.domain,
          withRbcd: true,
        });
        raw = object.rbcd ?? null;
        target = { dn: object.dn, sid: t.target.sid, domain: object.domain };
      } catch (error) {
        if (error instanceof DomainError && error.code === 'TARGET_NOT_FOUND') {
          report.checkedTargets++;
          const finding: ReconcileFinding = {
            target,
            kind: 'target-missing',
            message: `the target no longer exists (or moved out of reach); ${t.active.size} grant(s) are active on it`,
          };
          report.findings.push(finding);
          await this.record(actor, [finding], 'missing', current);
          return;
        }
        const code = error instanceof DomainError ? error.code : 'INTERNAL_ERROR';
        report.errors.push({ target, code, message: (error as Error).message });
        this.logger.warn(`reconcile: ${target.dn} not read (${code})`);
        return;
      }
      report.checkedTargets++;
      await this.checkWriters(actor, object, target, report, current, baselines.get(target.sid.toUpperCase()));
      const adding = new Set(t.unfinished.filter((i) => i.operation === 'add').flatMap((i) => i.principals));
      const removing = new Set(t.unfinished.filter((i) => i.operation === 'remove').flatMap((i) => i.principals));
      const items = findDrift({
        raw,
        activeSids: [...t.active].filter((s) => !removing.has(s)),
        knownSids: [...t.known, ...adding],
      });
      const findings: ReconcileFinding[] = items.map((i) => ({ target, ...i }));
      if (t.unfinished.length) findings.push(...(await this.completeUnfinished(actor, target, t.unfinished, raw)));
      if (findings.length === 0) return;
      if (this.config.driftRepair) await this.repairTarget(actor, target, findings);
      report.findings.push(...findings);
      await this.record(actor, findings, raw ? raw.toString('base64') : 'null', current);
    });
    this.previous = current;
    this.metrics.observeReconcile(
      report.findings.map((f) => f.kind),
      DRIFT_KINDS,
    );
    return report;
  }

  /**
   * WRITER_ADDED: a target with an active grant gained a writer outside Tier 0 (helpdesk ACE, owner
   * change...) since its writers were recorded: when the grant was applied, or at the last
   * reconciliation. A writer that was there before the grant is not reported; one added later is,
   * once (the baseline then holds it). A target without a baseline (granted before baselines
   * existed, or its descriptor unreadable at apply) gets one now, without a finding.
   */
  private async checkWriters(
    actor: string,
    object: DirectoryObject,
    target: ReconcileTarget,
    report: ReconcileReport,
    current: Set<string>,
    baseline: RecordedWriter[] | undefined,
  ): Promise<void> {
    let writers;
    try {
      writers = (await this.writers.rbcdWriters(object)).writers;
    } catch (error) {
      const code = error instanceof DomainError ? error.code : 'INTERNAL_ERROR';
      report.errors.push({ target, code, message: `writers not read: ${(error as Error).message}` });
      return;
    }
    if (writers === null) return;
    const gained = baseline ? gainedWriters(baseline, writers) : [];
    for (const writer of gained) {
      const finding: ReconcileFinding = {
        target,
        kind: 'writer-added',
        code: 'WRITER_ADDED',
        sid: writer.sid,
        message: `${writerName(writer)} (${writer.via === 'owner' ? 'owner, ' : ''}${writer.rights.join(', ')}), outside Tier 0, can write the RBCD list of this target behind the broker`,
      };
      report.findings.push(finding);
      await this.record(actor, [finding], `writer:${writer.via}:${writer.rights.join(',')}`, current);
    }
    // After the findings are recorded: a failure above leaves the old baseline, so the gain is
    // reported on the next run instead of being lost.
    if (!baseline || JSON.stringify(recordedWriters(writers)) !== JSON.stringify(baseline))
      await this.baselines.recordReconciled(target.sid, writers, this.clock.nowIso());
  }

  /**
   * Active grants grouped by target, with every principal that ever had a grant there, and the
   * targets of unfinished writes (pending intents older than a job lease: no worker is on them).
   */
  private async loadTargets(): Promise<TargetGrants[]> {
    const active = await this.grants.allActive();
    const unfinished = await this.intents.pendingSince(
      new Date(this.clock.now().getTime() - this.config.jobs.leaseMs).toISOString(),
    );
    const byTarget = new Map<string, TargetGrants>();
    const entryFor = (target: ReconcileTarget) => {
      const key = target.sid.toUpperCase();
      const entry = byTarget.get(key) ?? {
        target,
        active: new Set<string>(),
        known: new Set<string>(),
        unfinished: [],
      };
      byTarget.set(key, entry);
      return entry;
    };
    for (const g of active)
      entryFor({ dn: g.targetDn, sid: g.targetSid, domain: g.targetDomain }).active.add(g.principalSid.toUpperCase());
    for (const i of unfinished)
      entryFor({ dn: i.targetDn, sid: i.targetSid, domain: i.targetDomain }).unfinished.push(i);
    const sids = [...new Set([...active.map((g) => g.targetSid), ...unfinished.map((i) => i.targetSid)])];
    for (const pair of await this.grants.pairsOnTargets(sids)) {
      const [targetSid, principalSid] = pair.split('|');
      byTarget.get(targetSid)?.known.add(principalSid);
    }
    return [...byTarget.values()];
  }

  /**
   * UNFINISHED_WRITE findings for the pending intents of one target, and their completion: a
   * request whose job is still queued or leased gets it resumed by that job; an interrupted grant
   * of a failed request is taken back by a rollback job; any other intent is closed as `unknown`
   * with what the directory shows (and audited as such).
   */
  private async completeUnfinished(
    actor: string,
    target: ReconcileTarget,
    intents: DirectoryIntentEntity[],
    raw: Buffer | null,
  ): Promise<ReconcileFinding[]> {
    const findings: ReconcileFinding[] = [];
    const present = effectiveSids(raw);
    for (const intent of intents) {
      let completion: string;
      const request = intent.requestId ? await this.requests.find(intent.requestId) : null;
      if (intent.requestId && (await this.queue.hasLiveJob(intent.requestId))) {
        completion = `the job of request ${intent.requestId} resumes it`;
      } else if (intent.action === 'grant' && request?.status === 'failed') {
        await this.uow.run((m) =>
          this.queue.enqueue(m, {
            kind: 'rollback',
            requestId: request.id,
            dedupeKey: `rollback:${request.id}:${intent.id}`,
          }),
        );
        completion = `a rollback job of request ${request.id} takes it back`;
      } else {
        await this.uow.run((m) => this.writes.closeUnknown(m, intent, raw, actor, { closedBy: 'reconciler' }));
        completion = 'closed as unknown with what the directory shows';
      }
      for (const sid of intent.principals) {
        const inForce = intent.operation === 'add' ? present.has(sid) : !present.has(sid);
        findings.push({
          target,
          kind: 'unfinished-write',
          sid,
          message: `an unfinished ${intent.action} of the service (intent ${intent.id}${intent.requestId ? `, request ${intent.requestId}` : ''}) to ${intent.operation} ${sid}: ${inForce ? 'the directory shows it done' : 'the directory does not show it'}; ${completion}`,
        });
      }
    }
    return findings;
  }

  /** Re-adds the ACEs of grants that are still active: intent, write and outcome under the target's lock. */
  private async repairTarget(actor: string, target: ReconcileTarget, findings: ReconcileFinding[]): Promise<void> {
    const repairable = findings.filter((f) => REPAIRABLE_KINDS.includes(f.kind) && f.sid);
    if (repairable.length === 0) return;
    try {
      const restored = await this.locks.withTarget(target.sid, async (tx) => {
        const wanted = repairable.map((f) => f.sid as string);
        const still = await this.grants.activeOnTarget(target.sid);
        const sids = wanted.filter((sid) => still.some((g) => g.principalSid.toUpperCase() === sid));
        if (sids.length === 0) return new Set<string>();
        const before = await this.directory.readRbcd(target);
        const [intent] = await tx((m) =>
          this.writes.announce(m, [
            {
              requestId: null,
              action: 'repair',
              operation: 'add',
              target,
              principals: sids,
              inForceBefore: [...effectiveSids(before)],
              valueBefore: before,
              actor,
            },
          ]),
        );
        await this.writes.write(
          tx,
          intent,
          (current) => planRbcdChange('grant', current, sids).next,
          before,
          async (_m, cas) => ({
            result: undefined,
            actor,
            data: {
              action: 'repair',
              reason: 'drift',
              changed: cas.changed,
              principals: sids,
              sddlBefore: storedSddl(cas.before),
              sddlAfter: storedSddl(cas.after),
              attempts: cas.attempts,
            },
          }),
        );
        return new Set(sids);
      });
      for (const f of repairable) f.repaired = restored.has(f.sid as string);
    } catch (error) {
      this.logger.error({ err: error }, `reconcile: repair of ${target.dn} failed`);
      for (const f of repairable) {
        f.repaired = false;
        f.message += ` (repair failed: ${(error as Error).message})`;
      }
    }
  }

  /** One audit event and one webhook per new finding, in one transaction per target. */
  private async record(
    actor: string,
    findings: ReconcileFinding[],
    value: string,
    current: Set<string>,
  ): Promise<void> {
    const fresh = findings.filter((f) => {
      const fingerprint = createHash('sha256')
        .update([f.target.sid.toUpperCase(), f.kind, f.sid ?? '', value].join('|'))
        .digest('hex');
      if (!f.repaired) current.add(fingerprint); // a repaired finding that comes back is new again
      return !this.previous.has(fingerprint);
    });
    if (fresh.length === 0) return;
    await this.uow.run(async (m) => {
      for (const f of fresh) {
        const data = {
          kind: f.kind,
          ...(f.code ? { code: f.code } : {}),
          sid: f.sid ?? null,
          message: f.message,
          targetSid: f.target.sid,
          domain: f.target.domain,
          ...(f.repaired !== undefined ? { repaired: f.repaired } : {}),
        };
        const event = await this.audit.append(m, { actor, type: 'drift.detected', target: f.target.dn, data });
        await this.events.publish(m, {
          type: 'drift.detected',
          id: `drift.detected:${event.id}`,
          at: this.clock.nowIso(),
          data: { target: f.target, ...data },
        });
      }
    });
  }
}

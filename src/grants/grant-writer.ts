import { Inject, Injectable, Logger } from '@nestjs/common';
import { allInOrder } from '../common/all-in-order';
import { Clock } from '../common/clock';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';
import { TargetLocks } from '../database/target-lock';
import { UnitOfWork } from '../database/unit-of-work';
import type { DirectoryIntentEntity } from '../directory-writes/directory-intent.entity';
import { byTarget, DirectoryIntentRepository, type NewIntent } from '../directory-writes/directory-intent.repository';
import { DirectoryWrites, effectiveSids } from '../directory-writes/directory-writes';
import { planRbcdChange } from '../delegations/rbcd-change';
import type { AccountRef, DirectoryObject } from '../directory/directory.types';
import { WriterBaselineRepository } from '../policy/writer-baseline.repository';
import { type Writer, type WriterMemo, WritersService } from '../policy/writers.service';
import type { RequestEntity, TargetResult } from '../requests/request.entity';
import type { GrantEntity } from './grant.entity';
import { activeGrantRow, GrantRepository, pairKey } from './grant.repository';
import { TargetChecks } from './target-checks';
import { type GrantPlan, writeOutcome } from './write-outcome';

const TARGET_CONCURRENCY = 8;
/** Batches written at once (lanes); a batch is RBCD_WRITE_BATCH targets whose outcomes commit in one transaction. */
const BATCHES_IN_FLIGHT = 2;

/**
 * The first batch is half the size of the others, so that the two batches in flight stay out of
 * step: one writes while the other commits its outcomes and the next one's intents. Equal batches
 * started together finished together, and the DC then waited for both commits (PostgreSQL: nine
 * gaps of 37-61 ms per 1,000 targets with no write in flight, seen with BENCH_TIMELINE=1).
 */
const batchSize = (writeBatch: number, index: number) => (index === 0 ? Math.floor(writeBatch / 2) : writeBatch);

/** What an earlier run of a request left: active grant rows per target, pending intents per target. */
interface EarlierRun {
  written: Map<string, number>;
  pending: Map<string, DirectoryIntentEntity[]>;
}

/** A batch whose intents are committed: each target's plan, and its writers being worked out. */
interface NextBatch {
  plans: Map<string, GrantPlan>;
  writers: Promise<Map<string, Writer[] | null>>;
}

/** A batch written: each target's result (undefined where no write landed), the first error, the lane's next batch. */
interface BatchDone {
  results: (TargetResult | undefined)[];
  error?: unknown;
  next?: NextBatch;
}

/** The first failure of any lane: no batch starts after it. */
interface LaneFailure {
  failed: boolean;
  error?: unknown;
}

function fail(failure: LaneFailure, error: unknown): void {
  if (failure.failed) return;
  failure.failed = true;
  failure.error = error;
}

/** A batch's targets: those resuming an earlier run's intent, and the intents to announce for the rest. */
function splitBatch(
  targets: AccountRef[],
  steps: Map<string, GrantPlan | { announce: NewIntent }>,
): { plans: Map<string, GrantPlan>; announce: NewIntent[] } {
  const plans = new Map<string, GrantPlan>();
  const announce: NewIntent[] = [];
  for (const target of targets) {
    const step = steps.get(target.sid.toUpperCase());
    if (step && 'announce' in step) announce.push(step.announce);
    else if (step) plans.set(target.sid.toUpperCase(), step);
  }
  return { plans, announce };
}

/** The plans of a batch once its new intents are announced. */
function withAnnounced(plans: Map<string, GrantPlan>, intents: DirectoryIntentEntity[]): Map<string, GrantPlan> {
  for (const intent of intents) plans.set(intent.targetSid, { intent, resumed: false });
  return plans;
}

/**
 * A grant request's writes: policy checked again for every target still to write, then the
 * targets in batches (intents committed, locks held together, compare-and-swap writes a few at a
 * time, one transaction for the batch's outcomes and the intents of the batch its lane writes
 * next), two lanes of batches at once.
 */
@Injectable()
export class GrantWriter {
  private readonly logger = new Logger(GrantWriter.name);

  constructor(
    private readonly uow: UnitOfWork,
    private readonly locks: TargetLocks,
    private readonly writes: DirectoryWrites,
    private readonly intents: DirectoryIntentRepository,
    private readonly checks: TargetChecks,
    private readonly clock: Clock,
    private readonly writers: WritersService,
    private readonly baselines: WriterBaselineRepository,
    private readonly grants: GrantRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Writes the grant on every target; `results` gets each target's outcome as it lands (throws the first error). */
  async grant(request: RequestEntity, results: TargetResult[]): Promise<void> {
    // The targets, the principals and what an earlier run left are read side by side; a failure is
    // reported in this order whichever came first (the targets' read, then the principals' policy).
    const [fresh, , earlier] = await allInOrder([
      this.checks.fetchTargets(request.targets, { withSecurityDescriptor: true }),
      this.checks.recheckPrincipals(request),
      this.earlierRun(request),
    ] as const);
    const plans = this.planGrant(request, fresh, await this.checks.tier0Groups(fresh), earlier);
    const memo: WriterMemo = new Map();
    const index = new Map(request.targets.map((t, i) => [t.sid.toUpperCase(), i]));
    const batches: AccountRef[][] = [];
    for (const target of request.targets) {
      const key = target.sid.toUpperCase();
      if (!plans.has(key)) {
        results[index.get(key) as number] = { target, status: 'applied', at: this.clock.nowIso() }; // done in an earlier run
        continue;
      }
      const last = batches[batches.length - 1];
      if (!last || last.length >= batchSize(this.config.jobs.writeBatch, batches.length - 1)) batches.push([]);
      batches[batches.length - 1].push(target);
    }
    // Batch i goes to lane i % BATCHES_IN_FLIGHT. A lane writes its batches one after the other,
    // and the transaction with a batch's outcomes also commits the intents of the lane's next batch:
    // one commit per batch instead of two. After the first failure no batch starts (its intents
    // are not announced); a batch whose intents are committed writes, as one in flight would.
    const lanes = Array.from({ length: Math.min(BATCHES_IN_FLIGHT, batches.length) }, (_, lane) =>
      batches.filter((_, i) => i % BATCHES_IN_FLIGHT === lane),
    );
    const failure: LaneFailure = { failed: false };
    const record = (batch: AccountRef[], done: BatchDone) => {
      batch.forEach((target, k) => {
        const result = done.results[k];
        if (result) results[index.get(target.sid.toUpperCase()) as number] = result;
      });
      if (done.error !== undefined) fail(failure, done.error);
    };
    await Promise.all(lanes.map((lane) => this.writeLane(request, lane, fresh, plans, memo, failure, record)));
    if (failure.failed) throw failure.error;
  }

  /** One lane's batches, in order, until the first failure anywhere (see grant). Never throws: failures go to `failure`. */
  private async writeLane(
    request: RequestEntity,
    lane: AccountRef[][],
    fresh: Map<string, DirectoryObject>,
    steps: Map<string, GrantPlan | { announce: NewIntent }>,
    memo: WriterMemo,
    failure: LaneFailure,
    record: (batch: AccountRef[], done: BatchDone) => void,
  ): Promise<void> {
    try {
      // The first batch's intents commit on their own, while its writers are worked out.
      const first = splitBatch(lane[0], steps);
      const writers = this.writersOf(lane[0], fresh, memo);
      const announced = first.announce.length ? await this.uow.run((m) => this.writes.announce(m, first.announce)) : [];
      let batch: NextBatch | undefined = { plans: withAnnounced(first.plans, announced), writers };
      for (let i = 0; i < lane.length && batch; i++) {
        const next = lane[i + 1];
        const done: BatchDone = await this.grantOnTargets(
          request,
          lane[i],
          fresh,
          batch.plans,
          memo,
          batch.writers,
          next && { targets: next, steps, mayStart: () => !failure.failed },
        );
        record(lane[i], done);
        batch = done.next;
      }
    } catch (error) {
      fail(failure, error);
    }
  }

  /**
   * Policy again for every target still to write (against the target as it is now), before any
   * write; then what each write needs: a pending intent of an earlier run is resumed, the others get
   * an intent announced (committed before its batch's writes: a lane's first batch on its own, the
   * others with the outcomes of the batch before them, see writeLane). Targets done in an earlier
   * run are left out.
   */
  private planGrant(
    request: RequestEntity,
    fresh: Map<string, DirectoryObject>,
    tier0Groups: Map<string, string | undefined>,
    { written, pending }: EarlierRun,
  ): Map<string, GrantPlan | { announce: NewIntent }> {
    const principalSids = request.principals.map((p) => p.sid.toUpperCase());
    const plans = new Map<string, GrantPlan | { announce: NewIntent }>();
    for (const target of request.targets) {
      const key = target.sid.toUpperCase();
      if ((written.get(key) ?? 0) >= principalSids.length) continue; // done in an earlier run
      const current = fresh.get(key);
      this.checks.recheckPolicy(target, current, tier0Groups.get(key), request.durationSeconds, request.emergency);
      const earlier = pending.get(key)?.[0];
      if (earlier) plans.set(key, { intent: earlier, resumed: true });
      else {
        const before = current?.rbcd ?? null;
        plans.set(key, {
          announce: {
            requestId: request.id,
            action: 'grant',
            operation: 'add',
            target,
            principals: principalSids,
            inForceBefore: [...effectiveSids(before)],
            valueBefore: before,
            actor: 'system',
          },
        });
      }
    }
    return plans;
  }

  /** What an earlier run of this request left: active grant rows per target, pending intents. */
  private async earlierRun(request: RequestEntity): Promise<EarlierRun> {
    const written = new Map<string, number>();
    for (const row of await this.grants.statesOfRequest(request.id))
      if (row.state === 'active')
        written.set(row.targetSid.toUpperCase(), (written.get(row.targetSid.toUpperCase()) ?? 0) + 1);
    return { written, pending: byTarget(await this.intents.pendingForRequest(request.id, 'grant')) };
  }

  /**
   * A batch of a grant's targets, whose intents are committed: the targets' locks held together,
   * the compare-and-swap writes a few at a time, and one transaction for all their outcomes (grant
   * rows, writer baselines, intents closed, audit events) that also announces the intents of
   * `next` when every write of this batch landed and `next.mayStart()` (no failure elsewhere).
   * Returns each target's result (undefined where no write landed), the first error, and the next
   * batch's plans when its intents were committed (undefined: the lane stops).
   */
  private async grantOnTargets(
    request: RequestEntity,
    targets: AccountRef[],
    fresh: Map<string, DirectoryObject>,
    plans: Map<string, GrantPlan>,
    memo: WriterMemo,
    writersNow: Promise<Map<string, Writer[] | null>>,
    next?: { targets: AccountRef[]; steps: Map<string, GrantPlan | { announce: NewIntent }>; mayStart: () => boolean },
  ): Promise<BatchDone> {
    // Who else can write each target (the baseline WRITER_ADDED is later compared with): worked out
    // from the fetch's descriptor while the batch writes (names come from the directory), and the
    // next batch's too; the outcome's transaction opens once they are known, so no transaction waits
    // on the directory and no write waits for them. A descriptor that cannot be read never fails the
    // grant: the reconciler then records the baseline on its first run.
    let writers = new Map<string, Writer[] | null>();
    const writersNext = next && this.writersOf(next.targets, fresh, memo).catch(() => new Map<string, null>());
    let nextPlans: Map<string, GrantPlan> | undefined;
    const planOf = (target: AccountRef) => plans.get(target.sid.toUpperCase()) as GrantPlan;
    const byIntent = new Map(targets.map((t) => [planOf(t).intent.id, t]));
    const done = await this.locks.withTargets(
      targets.map((t) => t.sid),
      (tx) =>
        this.writes.writeMany<TargetResult>(
          // The outcome's transaction opens once this batch's writers are known.
          async (work) => {
            writers = await writersNow;
            return tx(work);
          },
          targets.map((target) => {
            const { intent } = planOf(target);
            return {
              intent,
              mutate: (current) => planRbcdChange('grant', current, intent.principals).next,
              current: fresh.get(target.sid.toUpperCase())?.rbcd ?? null,
            };
          }),
          TARGET_CONCURRENCY,
          async (m, landed) => {
            const sids = landed.map((l) => (byIntent.get(l.write.intent.id) as AccountRef).sid);
            const mine = new Set((await this.grants.ofRequestOnTargets(m, request.id, sids)).map(pairKey));
            // Other requests' active grants on these targets: who else holds an ACE there, and
            // whether a grant period is already under way (the writer baseline is then kept).
            const othersActive = await this.grants.activePairsOfOthers(m, sids, request.id);
            const others = new Set(othersActive.map(pairKey));
            const busy = new Set(othersActive.map((g) => g.targetSid.toUpperCase()));
            const now = this.clock.nowIso();
            await this.baselines.recordManyAtApply(
              m,
              landed.flatMap((l) => {
                const key = l.write.intent.targetSid;
                const known = writers.get(key);
                return known ? [{ targetSid: key, writers: known, otherGrantsActive: busy.has(key) }] : [];
              }),
              now,
            );
            const rows: GrantEntity[] = [];
            const outcomes = landed.map(({ write, cas }) => {
              const target = byIntent.get(write.intent.id) as AccountRef;
              const plan = planOf(target);
              // Ownership: a resumed write may have landed before the crash, so what AD shows now
              // says nothing; the intent holds what was in force before it.
              const inForceBefore = plan.resumed ? new Set(plan.intent.inForceBefore) : effectiveSids(cas.before);
              for (const sid of plan.intent.principals) {
                const key = pairKey({ targetSid: target.sid, principalSid: sid });
                if (mine.has(key)) continue;
                const aceAddedByService = !inForceBefore.has(sid) && !others.has(key);
                rows.push(activeGrantRow(request, target, sid, { aceAddedByService, adopted: false }, now));
              }
              return writeOutcome(target, 'grant', plan.intent.principals, cas, now, plan);
            });
            await this.grants.insert(m, rows);
            return outcomes;
          },
          // The lane's next batch, announced in the same commit when every write of this one
          // landed and no batch failed elsewhere.
          async (m, landed) => {
            if (!next || landed.length !== targets.length || !next.mayStart()) return;
            const { plans: resumed, announce } = splitBatch(next.targets, next.steps);
            nextPlans = withAnnounced(resumed, announce.length ? await this.writes.announce(m, announce) : []);
          },
        ),
    );
    return { ...done, next: nextPlans && writersNext && { plans: nextPlans, writers: writersNext } };
  }

  /** Each target's writers of the attribute, from its descriptor as fetched (null: not known). */
  private async writersOf(
    targets: AccountRef[],
    fresh: Map<string, DirectoryObject>,
    memo: WriterMemo,
  ): Promise<Map<string, Writer[] | null>> {
    const writers = new Map<string, Writer[] | null>();
    for (const target of targets) {
      const object = fresh.get(target.sid.toUpperCase());
      writers.set(
        target.sid.toUpperCase(),
        object
          ? await this.writers
              .rbcdWriters(object, memo)
              .then((r) => r.writers)
              .catch((error: unknown) => {
                this.logger.warn(`writers of ${target.dn} not read at apply: ${(error as Error).message}`);
                return null;
              })
          : null,
      );
    }
    return writers;
  }
}

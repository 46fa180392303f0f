import type { AuditService } from '../../audit/audit.service';
import { FakeClock } from '../../common/testing/fake-clock';
import type { AppConfig } from '../../config/config.types';
import type { UnitOfWork } from '../../database/unit-of-work';
import { JobHandlers } from '../../jobs/job-handlers';
import type { JobQueue, NewJob } from '../../jobs/job-queue.service';
import type { JobEntity } from '../../jobs/job.entity';
import type { DomainEvent, EventPublisher } from '../../notifications/event-publisher';
import { resolveTimePolicy } from '../../policy/time-policy';
import { RequestTimers } from '../../timers/request-timers';
import { RequestEntity } from '../request.entity';
import { RequestLifecycle } from '../request-lifecycle';
import { RequestRepository } from '../request.repository';
import { TimerHandler } from './timer-handler';

/**
 * The timers with a fake clock and strict in-memory fakes: the jobs RequestTimers sets are due when
 * the policy says; the worker "runs" a job when the fake clock reaches its run_at; each fires once
 * (a job whose lease was taken over changes nothing), and only while its moment still holds.
 */
class World {
  readonly clock = new FakeClock();
  readonly jobs: (NewJob & { id: string; done: boolean; leasedBy: string })[] = [];
  readonly published: DomainEvent[] = [];
  readonly escalated: { event: DomainEvent; rule: number | null }[] = [];
  readonly audited: string[] = [];
  request = Object.assign(new RequestEntity(), {
    id: 'r1',
    status: 'pending',
    action: 'grant',
    targets: [],
    principals: [],
    requester: 'key:ticketing',
    requesterName: 'ticketing',
    requestedFor: null,
    requesterPerson: null,
    requestedForPerson: null,
    justification: 'test',
    ticket: null,
    expiresAt: null,
    createdAt: this.clock.nowIso(),
    updatedAt: this.clock.nowIso(),
    appliedAt: null,
    closedAt: null,
    result: null,
    requiredApprovals: 1,
    ownerApprovals: null,
    startsAt: null,
    extendsRequestId: null,
    mergedInto: null,
  } as Partial<RequestEntity>);

  readonly queue = {
    enqueue: async (_m: unknown, job: NewJob) => {
      const id = job.dedupeKey as string;
      if (!this.jobs.some((j) => j.id === id)) this.jobs.push({ ...job, id, done: false, leasedBy: '' });
      return id;
    },
    completeIfHeld: async (job: JobEntity) => {
      const row = this.jobs.find((j) => j.id === job.id);
      if (!row || row.done || row.leasedBy !== job.leaseOwner) return false;
      row.done = true;
      return true;
    },
  } as unknown as JobQueue;

  readonly manager = {
    getRepository: () => ({
      findOne: async () => Object.assign(new RequestEntity(), this.request),
      update: async (where: { status?: string }, changes: Partial<RequestEntity>) => {
        if (where.status && where.status !== this.request.status) return { affected: 0 };
        Object.assign(this.request, changes);
        return { affected: 1 };
      },
    }),
  };

  readonly uow = { isPostgres: false, run: (fn: (m: unknown) => unknown) => fn(this.manager) } as unknown as UnitOfWork;
  readonly events = {
    publish: async (_m: unknown, event: DomainEvent) => void this.published.push(event),
    escalate: async (_m: unknown, event: DomainEvent, rule: number | null) => void this.escalated.push({ event, rule }),
  } as unknown as EventPublisher;
  readonly audit = {
    append: async (_m: unknown, e: { type: string }) => void this.audited.push(e.type),
  } as unknown as AuditService;
  readonly config = { notifications: { expiringLeads: ['PT1H', 'PT10M'] } } as AppConfig;
  readonly timers = new RequestTimers(this.queue, this.config);
  readonly rows = new RequestRepository(this.uow, this.clock);
  readonly handler = new TimerHandler(
    this.uow,
    this.rows,
    new RequestLifecycle(this.rows, this.audit, this.events, this.clock),
    this.queue,
    new JobHandlers(),
    this.events,
    this.audit,
    this.clock,
  );

  /** What the worker does: lease and run every job due by the fake clock (as `worker`). */
  async runDue(worker = 'w1'): Promise<string[]> {
    const ran: string[] = [];
    for (const job of this.jobs.filter((j) => !j.done && (j.runAt as Date) <= this.clock.now())) {
      job.leasedBy = worker;
      await this.handler.fire({
        id: job.id,
        payload: job.payload,
        requestId: job.requestId,
        leaseOwner: worker,
      } as JobEntity);
      ran.push(job.id);
    }
    return ran;
  }
}

const MINUTE = 60_000;

describe('request timers (fake clock)', () => {
  const time = resolveTimePolicy(
    undefined,
    {
      requiredApprovals: 1,
      maxDuration: 'P1D',
      requireTicket: false,
      remindAfter: 'PT1H',
      escalateAfter: 'PT2H',
      escalateTo: { url: 'https://x.example/h', format: 'chat' },
      pendingTimeout: 'PT4H',
    },
    86_400_000,
  );

  it('a pending request is reminded at remindAfter, escalated at escalateAfter and timed out at pendingTimeout, each once', async () => {
    const w = new World();
    await w.timers.pending(w.manager as never, w.request, time, null);
    await w.timers.pending(w.manager as never, w.request, time, null); // set twice (a retry): still one each
    expect(w.jobs.map((j) => [j.payload?.timer, (j.runAt as Date).toISOString()])).toEqual([
      ['remind', '2026-12-01T09:00:00.000Z'],
      ['escalate', '2026-12-01T10:00:00.000Z'],
      ['timeout', '2026-12-01T12:00:00.000Z'],
    ]);

    w.clock.advance(59 * MINUTE);
    expect(await w.runDue()).toEqual([]);
    w.clock.advance(MINUTE);
    await w.runDue();
    expect(w.published.map((e) => e.type)).toEqual(['request.reminder']);
    expect(w.published[0].data.requester).toEqual({ id: 'key:ticketing', name: 'ticketing', person: null });

    w.clock.advance(60 * MINUTE);
    await w.runDue();
    expect(w.escalated).toHaveLength(1);
    expect(w.escalated[0].rule).toBeNull();

    w.clock.advance(120 * MINUTE);
    await w.runDue();
    expect(w.request.status).toBe('timedOut');
    expect(w.request.closedAt).toBe('2026-12-01T12:00:00.000Z');
    expect(w.published.map((e) => e.type)).toEqual(['request.reminder', 'request.escalated', 'request.timed_out']);
    expect(w.audited).toEqual(['request.reminded', 'request.escalated', 'request.timed-out']);
  });

  it('a decided request is neither reminded nor timed out (positive control above)', async () => {
    const w = new World();
    await w.timers.pending(w.manager as never, w.request, time, null);
    w.request.status = 'approved';
    w.clock.advance(5 * 60 * MINUTE);
    expect(await w.runDue()).toHaveLength(3);
    expect(w.published).toEqual([]);
    expect(w.request.status).toBe('approved');
  });

  it('a timer whose lease another worker took over changes nothing the second time', async () => {
    const w = new World();
    await w.timers.pending(w.manager as never, w.request, time, null);
    w.clock.advance(5 * 60 * MINUTE);
    const job = w.jobs.find((j) => j.payload?.timer === 'remind');
    if (!job) throw new Error('no remind job');
    job.leasedBy = 'w2'; // w1's lease ran out; w2 holds it now
    await w.handler.fire({ id: job.id, payload: job.payload, requestId: 'r1', leaseOwner: 'w1' } as JobEntity);
    expect(w.published).toEqual([]);
    await w.handler.fire({ id: job.id, payload: job.payload, requestId: 'r1', leaseOwner: 'w2' } as JobEntity);
    await w.handler.fire({ id: job.id, payload: job.payload, requestId: 'r1', leaseOwner: 'w2' } as JobEntity);
    expect(w.published.map((e) => e.type)).toEqual(['request.reminder']);
  });

  it('grant.expiring at each lead before the expiry it was set for; none after an extension moved it', async () => {
    const w = new World();
    Object.assign(w.request, { status: 'applied', expiresAt: '2026-12-01T10:00:00.000Z' });
    await w.timers.expiring(w.manager as never, w.request, w.clock.now());
    expect(w.jobs.map((j) => (j.runAt as Date).toISOString())).toEqual([
      '2026-12-01T09:00:00.000Z',
      '2026-12-01T09:50:00.000Z',
    ]);
    w.clock.set('2026-12-01T09:00:00Z');
    await w.runDue();
    expect(w.published.map((e) => [e.type, e.data.lead, e.id])).toEqual([
      ['grant.expiring', 'PT1H', 'grant.expiring:r1:PT1H:2026-12-01T10:00:00.000Z'],
    ]);
    // Extended to 12:00: the 09:50 notice of the old expiry stays silent; the new ones come at 11:00 and 11:50.
    w.request.expiresAt = '2026-12-01T12:00:00.000Z';
    await w.timers.expiring(w.manager as never, w.request, w.clock.now());
    w.clock.set('2026-12-01T09:55:00Z');
    await w.runDue();
    expect(w.published).toHaveLength(1);
    w.clock.set('2026-12-01T11:50:00Z');
    await w.runDue();
    expect(w.published.map((e) => e.data.expiresAt)).toEqual([
      '2026-12-01T10:00:00.000Z',
      '2026-12-01T12:00:00.000Z',
      '2026-12-01T12:00:00.000Z',
    ]);
  });

  it('a lead longer than the grant sets no notice (its moment is already past)', async () => {
    const w = new World();
    Object.assign(w.request, { status: 'applied', expiresAt: '2026-12-01T08:30:00.000Z' });
    await w.timers.expiring(w.manager as never, w.request, w.clock.now());
    expect(w.jobs.map((j) => j.payload?.lead)).toEqual(['PT10M']);
  });
});

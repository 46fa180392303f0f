// Helpers for tests that drive the approvals workflow over HTTP against the sandbox DC.
import { join } from 'node:path';
import type { Clock } from '../../src/common/clock';
import type { AppConfig } from '../../src/config/config.types';
import { ExpiryScheduler } from '../../src/grants/expiry.scheduler';
import { JobRunner } from '../../src/jobs/job-runner';
import { createTestApp, type TestApp, type TestDatabase } from './test-app';

export const SANDBOX_CONFIG = join(__dirname, '..', '..', '.sandbox', 'rbcd.yaml');

export type Headers = Record<string, string>;

/** The service wired to the sandbox DCs (RBCD_CONFIG from scripts/sandbox-dc.sh). */
export function sandboxApp(
  options: { database?: TestDatabase; env?: Record<string, string>; config?: Partial<AppConfig>; clock?: Clock } = {},
): Promise<TestApp> {
  return createTestApp({
    database: options.database,
    env: { RBCD_CONFIG: SANDBOX_CONFIG, ...options.env },
    config: options.config,
    clock: options.clock,
  });
}

/** Issues an API key with these roles through the API and returns its Authorization header. */
export async function issueKey(
  t: TestApp,
  name: string,
  roles: string[],
  extra: Record<string, unknown> = {},
): Promise<Headers> {
  const res = await t
    .http()
    .post('/api/v1/api-keys')
    .set(t.admin)
    .send({ name, roles, ...extra })
    .expect(201);
  return { Authorization: `Bearer ${res.body.key}` };
}

/** Runs the worker until no job is due (what the background loop does every poll). */
export async function drainJobs(t: TestApp): Promise<number> {
  return t.app.get(JobRunner).runOnce();
}

export async function expireDue(t: TestApp): Promise<number> {
  const count = await t.app.get(ExpiryScheduler).enqueueDue();
  await drainJobs(t);
  return count;
}

export interface Actors {
  requester: Headers;
  approver: Headers;
  approver2: Headers;
}

export async function actors(t: TestApp): Promise<Actors> {
  return {
    requester: await issueKey(t, 'ticketing', ['requester']),
    approver: await issueKey(t, 'approver-one', ['approver']),
    approver2: await issueKey(t, 'approver-two', ['approver']),
  };
}

/** Files a grant and has it approved; returns the request id (not yet applied: call drainJobs). */
export async function grantApproved(t: TestApp, who: Actors, body: Record<string, unknown>): Promise<string> {
  const created = await t
    .http()
    .post('/api/v1/requests')
    .set(who.requester)
    .send({ action: 'grant', justification: 'test', ...body })
    .expect(201);
  await t.http().post(`/api/v1/requests/${created.body.id}/approve`).set(who.approver).send({}).expect(200);
  return created.body.id;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

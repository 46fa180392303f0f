// GET /metrics: Prometheus text from a registry of each application's own, HTTP metrics by route
// pattern, directory operation latency and errors (real sandbox DCs plus one unreachable domain),
// and the workflow gauges read from the database at scrape time.
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { UnitOfWork } from '../../src/database/unit-of-work';
import { GrantEntity } from '../../src/grants/grant.entity';
import { JobEntity } from '../../src/jobs/job.entity';
import { createTestApp, type TestApp } from '../support/test-app';
import { sandboxDir } from '../support/sandbox';

/** Sum of the samples of `name` whose labels include `labels` (undefined when there is none). */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  let total: number | undefined;
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) total = (total ?? 0) + Number(m[3]);
  }
  return total;
}

describe('GET /metrics', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({
      env: {
        RBCD_CONFIG: path.join(sandboxDir(), 'rbcd.yaml'),
        // A third domain whose only DC refuses connections: every operation on it fails.
        LDAP_URL: 'ldaps://127.0.0.1:1',
        LDAP_DOMAIN: 'broken.test',
        LDAP_CONNECT_TIMEOUT_MS: '1000',
      },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  const scrape = async (): Promise<string> => {
    const res = await t.http().get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain;.*version=0\.0\.4/);
    return res.text;
  };

  it('is public, outside /api/v1, and exposes process metrics', async () => {
    const text = await scrape();
    expect(sample(text, 'process_cpu_user_seconds_total')).toBeGreaterThanOrEqual(0);
    await t.http().get('/api/v1/metrics').expect(404);
  });

  it('counts HTTP requests by route pattern and status, never by raw URL', async () => {
    const a = randomUUID();
    const b = randomUUID();
    const unmatched = { method: 'GET', route: '(unmatched)', status: '404' };
    const before = sample(await scrape(), 'http_requests_total', unmatched) ?? 0;
    await t.http().get(`/api/v1/requests/${a}`).set(t.admin).expect(404);
    await t.http().get(`/api/v1/requests/${b}`).set(t.admin).expect(404);
    await t.http().get('/api/v1/requests').expect(401);
    await t.http().get('/no/such/path/42').expect(404);
    await t.http().get('/api/v1/no-such-route/42').set(t.admin).expect(404);
    const text = await scrape();
    const byId = { method: 'GET', route: '/api/v1/requests/:id', status: '404' };
    expect(sample(text, 'http_requests_total', byId)).toBe(2);
    expect(sample(text, 'http_request_duration_seconds_count', byId)).toBe(2);
    expect(sample(text, 'http_request_duration_seconds_bucket', { ...byId, le: '+Inf' })).toBe(2);
    expect(sample(text, 'http_requests_total', { method: 'GET', route: '/api/v1/requests', status: '401' })).toBe(1);
    expect(sample(text, 'http_requests_total', unmatched)).toBe(before + 2);
    expect(text).not.toContain(a);
    expect(text).not.toContain('/no/such/path');
    expect(text).not.toContain('no-such-route');
  });

  it('labels GraphQL requests with /graphql', async () => {
    await t.http().post('/graphql').set(t.admin).send({ query: '{ __typename }' }).expect(200);
    expect(sample(await scrape(), 'http_requests_total', { method: 'POST', route: '/graphql', status: '200' })).toBe(1);
  });

  it('observes directory operation latency by domain and operation, and errors by code', async () => {
    await t.http().get('/api/v1/delegations/CONTOSO%5CSERVERC%24').set(t.admin).expect(200);
    const unreachable = await t.http().get('/api/v1/delegations/CN=X,DC=broken,DC=test').set(t.admin);
    expect(unreachable.status).toBe(503);
    const text = await scrape();
    expect(
      sample(text, 'rbcd_directory_operation_duration_seconds_count', { domain: 'contoso.test', outcome: 'ok' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(text, 'rbcd_directory_operation_duration_seconds_sum', { domain: 'contoso.test', outcome: 'ok' }),
    ).toBeGreaterThan(0);
    expect(
      sample(text, 'rbcd_directory_operation_errors_total', { domain: 'broken.test', code: 'DIRECTORY_UNAVAILABLE' }),
    ).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'rbcd_directory_operation_errors_total', { domain: 'contoso.test' })).toBeUndefined();
  });

  it('reports queue depth and age, requests by status and active grants from the database', async () => {
    const uow = t.app.get(UnitOfWork);
    const hourAgo = new Date(Date.now() - 3600_000).toISOString();
    const job = (status: JobEntity['status'], createdAt: string): JobEntity => ({
      id: randomUUID(),
      kind: 'webhook',
      requestId: null,
      payload: {},
      status,
      attempts: 0,
      runAt: new Date(Date.now() + 3600_000).toISOString(),
      leaseOwner: null,
      leaseUntil: null,
      lastError: null,
      createdAt,
      updatedAt: createdAt,
    });
    await uow.manager
      .getRepository(JobEntity)
      .insert([job('queued', hourAgo), job('queued', new Date().toISOString()), job('failed', hourAgo)] as never);
    const grant = (state: GrantEntity['state']): GrantEntity => ({
      id: randomUUID(),
      requestId: randomUUID(),
      targetSid: 'S-1-5-21-1-2-3-4001',
      targetDn: 'CN=X,DC=contoso,DC=test',
      targetDomain: 'contoso.test',
      principalSid: `S-1-5-21-1-2-3-${5000 + Math.floor(Math.random() * 1000)}`,
      state,
      aceAddedByService: true,
      adopted: false,
      createdAt: hourAgo,
      expiresAt: null,
      endedAt: null,
    });
    await uow.manager.getRepository(GrantEntity).insert([grant('active'), grant('active'), grant('ended')]);
    const created = await t
      .http()
      .post('/api/v1/requests')
      .set(t.admin)
      .send({
        action: 'grant',
        targets: ['CONTOSO\\SERVERC$'],
        principals: ['CONTOSO\\SERVERB$'],
        justification: 'metrics test',
        duration: 'PT1H',
      });
    expect(created.status).toBe(201);

    const text = await scrape();
    expect(sample(text, 'rbcd_jobs', { status: 'queued' })).toBe(2);
    expect(sample(text, 'rbcd_jobs', { status: 'failed' })).toBe(1);
    expect(sample(text, 'rbcd_job_queue_oldest_age_seconds')).toBeGreaterThanOrEqual(3600);
    expect(sample(text, 'rbcd_job_queue_oldest_age_seconds')).toBeLessThan(3700);
    expect(sample(text, 'rbcd_requests', { status: 'pending' })).toBe(1);
    expect(sample(text, 'rbcd_requests', { status: 'applied' })).toBe(0);
    expect(sample(text, 'rbcd_active_grants')).toBe(2);
  });

  it('counts drift findings of the reconciler by kind', async () => {
    // The active grants above name a target SID that does not exist: a target-missing finding.
    const res = await t.http().post('/api/v1/reconcile').set(t.admin).expect(200);
    expect(res.body.findings.map((f: { kind: string }) => f.kind)).toEqual(['target-missing']);
    const text = await scrape();
    expect(sample(text, 'rbcd_drift_findings', { kind: 'target-missing' })).toBe(1);
    expect(sample(text, 'rbcd_drift_findings', { kind: 'missing-ace' })).toBe(0);
    expect(sample(text, 'rbcd_drift_findings_total', { kind: 'target-missing' })).toBe(1);
    expect(sample(text, 'rbcd_reconcile_runs_total', { outcome: 'ok' })).toBe(1);
  });

  it('keeps each application in a registry of its own', async () => {
    const other = await createTestApp();
    try {
      await other.http().get(`/api/v1/requests/${randomUUID()}`).set(other.admin).expect(404);
      const mine = await scrape();
      const theirs = (await other.http().get('/metrics').expect(200)).text;
      expect(sample(theirs, 'http_requests_total', { route: '/api/v1/requests/:id', status: '404' })).toBe(1);
      expect(sample(mine, 'http_requests_total', { route: '/api/v1/requests/:id', status: '404' })).toBe(2);
      expect(sample(theirs, 'rbcd_directory_operation_duration_seconds_count')).toBeUndefined();
    } finally {
      await other.close();
    }
  });
});

// Limits that keep one caller from hurting everyone, at the HTTP edge: bodies nested without bound
// (class-transformer would overflow the stack on them), and the errors Node's HTTP parser answers
// before any route runs, all with the contract's error body.
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_BODY_DEPTH } from '../../src/common/limits/body-depth';
import { StrictFakeDirectory } from '../support/strict-fake-directory';
import { createTestApp, type TestApp } from '../support/test-app';

/** `{"unknown": {"x": {"x": ... 1}}}`: `levels` objects below the top-level one. */
function deepBody(levels: number): string {
  return `{"unknownField":${'{"x":'.repeat(levels)}1${'}'.repeat(levels)}}`;
}

/** Every operation of the contract that takes a body, with its path parameters filled in. */
function bodyOperations(): { method: string; path: string }[] {
  const doc = JSON.parse(readFileSync(join(__dirname, '..', '..', 'openapi', 'openapi.json'), 'utf8')) as {
    paths: Record<string, Record<string, { requestBody?: unknown }>>;
  };
  return Object.entries(doc.paths).flatMap(([path, operations]) =>
    Object.entries(operations)
      .filter(([, operation]) => operation.requestBody)
      .map(([method, _]) => ({
        method: method.toUpperCase(),
        path: path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000'),
      })),
  );
}

describe('request limits at the HTTP edge', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ directory: new StrictFakeDirectory() });
  });

  afterAll(async () => {
    await t?.close();
  });

  const operations = bodyOperations();

  it('knows the operations that take a body (api-keys, plan, diagnose, requests, approve, reject, revoke ...)', () => {
    const paths = operations.map((o) => o.path);
    for (const part of ['/api-keys', '/delegations/plan', '/diagnose', '/requests', '/approve', '/reject', '/revoke']) {
      expect(paths.some((p) => p.endsWith(part))).toBe(true);
    }
  });

  it.each(operations.map((o) => [o.method, o.path]))(
    '%s %s: a 30 KB body with 5,000 nested objects in an unknown field is 400 VALIDATION_FAILED, not a crash',
    async (method, path) => {
      const body = deepBody(5_000);
      expect(body.length).toBeGreaterThan(25_000);
      const res = await t
        .http()
        [method.toLowerCase() as 'post'](path)
        .set(t.admin)
        .set('Content-Type', 'application/json')
        .send(body);
      expect([res.status, res.body.error?.code]).toEqual([400, 'VALIDATION_FAILED']);
      expect(res.body.error.details).toEqual({ maxDepth: MAX_BODY_DEPTH });
    },
  );

  it('positive control: the same unknown field nested within the limit reaches validation, which names the field', async () => {
    const res = await t
      .http()
      .post('/api/v1/diagnose')
      .set(t.admin)
      .set('Content-Type', 'application/json')
      .send(deepBody(MAX_BODY_DEPTH - 2));
    expect([res.status, res.body.error?.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(res.body.error.message).toMatch(/unknownField/);
  });

  it('refuses a deeply nested GraphQL body too, with the error body', async () => {
    const res = await t
      .http()
      .post('/graphql')
      .set(t.admin)
      .set('Content-Type', 'application/json')
      .send(`{"query":"{ __typename }","variables":${deepBody(5_000).slice(0, -1)}}}`);
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toMatch(/VALIDATION_FAILED/);
  });

  /** Sends raw bytes and returns the raw answer (Node's parser answers before Fastify sees a request). */
  async function raw(request: string): Promise<{ status: number; headers: string; body: string }> {
    const server = t.app.getHttpServer();
    if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('error', () => undefined);
      socket.on('close', () => {
        const [head, ...rest] = data.split('\r\n\r\n');
        const status = Number(/^HTTP\/1\.1 (\d+)/.exec(head)?.[1]);
        if (!status) reject(new Error(`no HTTP answer: ${JSON.stringify(data)}`));
        else resolve({ status, headers: head, body: rest.join('\r\n\r\n') });
      });
      socket.write(request);
    });
  }

  it('answers headers too large (431) with the contract body', async () => {
    const res = await raw(
      `GET /api/v1/delegations/SERVERC HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    expect(res.status).toBe(431);
    expect(JSON.parse(res.body)).toEqual({ error: { code: 'VALIDATION_FAILED', message: expect.any(String) } });
    expect(res.headers).toMatch(/X-Request-Id: [0-9a-f-]{36}/);
  });

  it('answers malformed HTTP (400) with the contract body', async () => {
    const res = await raw('GET /api/v1/delegations/SERVERC HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).error.code).toBe('VALIDATION_FAILED');
  });

  it('answers a path parameter beyond the router limit (414) with the contract body', async () => {
    const res = await t
      .http()
      .get(`/api/v1/delegations/${'A'.repeat(9000)}`)
      .set(t.admin);
    expect([res.status, res.body.error?.code]).toEqual([414, 'VALIDATION_FAILED']);
  });

  it('positive control: an ordinary request on the same server is answered', async () => {
    const res = await raw(`GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    expect(res.status).toBe(200);
  });
});

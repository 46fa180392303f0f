// Audit streaming to a SIEM, against a real rsyslog (TLS, octet counting) and a local HEC
// receiver: every event arrives exactly as stored, in chain order per sink; a receiver that goes
// down delays delivery, loses nothing and shows in /metrics; admins see positions and replay.
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as netServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { verifyJsonLines } from '../../src/audit/audit-chain';
import { eventHash } from '../../src/audit/audit-hash';
import { AuditService } from '../../src/audit/audit.service';
import type { AuditEventView } from '../../src/audit/audit.types';
import { parseCefEvent } from '../../src/audit/sinks/syslog-message';
import { runCli } from '../../src/cli/main';
import { ensureRsyslog, issueServerCert, Rsyslog } from '../support/rsyslog';
import { createTestApp, type TestApp, type TestDatabase } from '../support/test-app';
import { issueKey, sleep } from '../support/workflow';

jest.setTimeout(120_000);

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = netServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface SinkView {
  name: string;
  deliveredSeq: number;
  headSeq: number;
  lag: number;
  consecutiveFailures: number;
  totalFailures: number;
  lastError: string | null;
}

async function sinks(t: TestApp): Promise<SinkView[]> {
  return (await t.http().get('/api/v1/audit/sinks').set(t.admin).expect(200)).body as SinkView[];
}

async function caughtUp(t: TestApp, timeoutMs = 60_000): Promise<SinkView[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const views = await sinks(t);
    if (views.every((v) => v.lag === 0 && v.headSeq > 0)) return views;
    if (Date.now() > deadline) throw new Error(`sinks did not catch up: ${JSON.stringify(views)}`);
    await sleep(100);
  }
}

async function stored(t: TestApp): Promise<string[]> {
  const res = await t.http().get('/api/v1/audit/export').set(t.admin).expect(200);
  return res.text.trimEnd().split('\n');
}

/** The JSON body of an RFC 5424 line written by rsyslog's %rawmsg% (after the structured data). */
function jsonOf(line: string): string {
  return line.slice(line.indexOf('] {') + 2);
}

/** `rbcd audit verify <file> --allow-repeats --json`, in-process. */
async function verifyFile(path: string): Promise<{ code: number; result: Record<string, unknown> }> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (c) => (text += c));
  const input = new PassThrough();
  input.end();
  const code = await runCli(['audit', 'verify', path, '--allow-repeats', '--json'], {
    out,
    err: new PassThrough(),
    in: input,
    env: {},
  });
  return { code, result: JSON.parse(text) as Record<string, unknown> };
}

/** First arrival of each seq, in arrival order (a batch sent again repeats events). */
function firstArrivals<T extends { seq: number }>(items: T[]): T[] {
  const seen = new Set<number>();
  return items.filter((i) => !seen.has(i.seq) && seen.add(i.seq));
}

describe.each(['sqlite', 'postgres'] as TestDatabase[])('audit sinks on %s', (database) => {
  let dir: string;
  let rsyslog: Rsyslog;
  let hec: Server;
  let hecDown = false;
  const hecBodies: string[] = [];
  const hecAuth: string[] = [];
  let t: TestApp;

  beforeAll(async () => {
    ensureRsyslog();
    dir = mkdtempSync(join(tmpdir(), 'rbcd-sinks-'));
    const tls = issueServerCert(dir);
    rsyslog = new Rsyslog(join(dir, 'rsyslog'), await freePort(), tls);
    await rsyslog.start();
    hec = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        hecAuth.push(String(req.headers.authorization));
        if (hecDown) {
          res.writeHead(503, { 'Content-Type': 'application/json' }).end('{"text":"Server is busy","code":9}');
          return;
        }
        hecBodies.push(body);
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"text":"Success","code":0}');
      });
    });
    await new Promise<void>((resolve) => hec.listen(0, '127.0.0.1', resolve));
    const hecPort = (hec.address() as { port: number }).port;
    writeFileSync(join(dir, 'hec-token'), 'hec-secret-token-123\n');
    const yaml = join(dir, 'rbcd.yaml');
    writeFileSync(
      yaml,
      [
        'audit:',
        '  sinks:',
        `    - {name: siem-json, type: syslog, address: "127.0.0.1:${rsyslog.port}", format: json, caFile: "${tls.ca}", hostname: rbcd-test, timeoutMs: 2000, batchSize: 40}`,
        `    - {name: siem-cef, type: syslog, address: "127.0.0.1:${rsyslog.port}", format: cef, caFile: "${tls.ca}", timeoutMs: 2000}`,
        `    - {name: splunk, type: splunk-hec, url: "http://127.0.0.1:${hecPort}/services/collector/event", tokenFile: "${join(dir, 'hec-token')}", index: audit, timeoutMs: 2000}`,
        '',
      ].join('\n'),
    );
    t = await createTestApp({
      database,
      worker: true,
      env: { RBCD_CONFIG: yaml, RBCD_JOB_POLL_MS: '50', RBCD_JOB_BACKOFF_MS: '20' },
    });
  });

  afterAll(async () => {
    await t?.close();
    await rsyslog?.stop();
    await new Promise((resolve) => hec?.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  const syslogJson = () => rsyslog.lines().filter((l) => l.includes(' {"seq":'));
  const syslogCef = () => rsyslog.lines().filter((l) => l.includes(' CEF:0|'));
  const hecEvents = () =>
    hecBodies
      .flatMap((b) => b.split('\n'))
      .map((l) => JSON.parse(l) as { event: AuditEventView; index: string; sourcetype: string });

  it('every event reaches rsyslog (JSON and CEF) and the HEC receiver exactly as stored, in chain order', async () => {
    const audit = t.app.get(AuditService);
    await issueKey(t, 'sink-test', ['auditor']);
    for (let i = 0; i < 60; i++)
      await audit.record({
        actor: 'test',
        type: 'drift.detected',
        target: `CN=S${i},OU=Servers`,
        data: { i, text: 'ünïcode "quoted" ] \\ = | \n' },
      });
    await caughtUp(t);
    await sleep(300); // omfile writes at the end of each batch
    const expected = await stored(t);

    const json = firstArrivals(
      syslogJson().map((l) => ({ seq: JSON.parse(jsonOf(l)).seq as number, body: jsonOf(l), line: l })),
    );
    expect(json.map((j) => j.body)).toEqual(expected);
    expect(json[0].line).toMatch(
      /^<109>1 \S+ rbcd-test rbcd-broker - apikey.created \[rbcd@32473 seq="1" hash="[0-9a-f]{64}" prevHash="0{64}" id="[0-9a-f-]{36}"\] \{/,
    );
    expect(verifyJsonLines(json.map((j) => j.body))).toMatchObject({ ok: true, events: expected.length, firstSeq: 1 });

    const cef = firstArrivals(syslogCef().map((l) => parseCefEvent(l.slice(l.indexOf('CEF:0|')))));
    expect(cef).toEqual(expected.map((l) => JSON.parse(l)));
    for (const e of cef) expect(eventHash(e.prevHash, e)).toBe(e.hash);

    const fromHec = firstArrivals(hecEvents().map((h) => h.event));
    expect(fromHec.map((e) => JSON.stringify(e))).toEqual(expected);
    expect(hecEvents()[0]).toMatchObject({ index: 'audit', sourcetype: 'rbcd:audit' });
    expect(new Set(hecAuth)).toEqual(new Set(['Splunk hec-secret-token-123']));
  });

  it('rsyslog stopped and restarted mid-stream, HEC answering 503 meanwhile: delayed, in /metrics, nothing lost, the chain verifies from the received file', async () => {
    const audit = t.app.get(AuditService);
    const producing = (async () => {
      for (let i = 0; i < 150; i++) {
        await audit.record({ actor: 'producer', type: 'drift.detected', data: { i } });
        await sleep(5);
      }
    })();
    await sleep(150);
    await rsyslog.stop();
    hecDown = true;
    await producing;

    // Down: the position stops, failures count, /metrics shows both.
    const deadline = Date.now() + 20_000;
    let down: SinkView[] = [];
    while (Date.now() < deadline) {
      down = await sinks(t);
      if (down.every((v) => v.consecutiveFailures > 0 && v.lag > 0)) break;
      await sleep(100);
    }
    expect(down.every((v) => v.consecutiveFailures > 0 && v.lag > 0 && v.lastError)).toBe(true);
    expect(JSON.stringify(down)).not.toContain('hec-secret-token-123');
    const metrics = (await t.http().get('/metrics').expect(200)).text;
    expect(metrics).toMatch(/rbcd_audit_sink_lag_events\{sink="siem-json"\} [1-9]\d*/);
    expect(metrics).toMatch(/rbcd_audit_sink_failures_total\{sink="splunk"\} [1-9]\d*/);
    expect(metrics).toMatch(/rbcd_audit_sink_consecutive_failures\{sink="siem-cef"\} [1-9]\d*/);

    hecDown = false;
    await rsyslog.start();
    const up = await caughtUp(t);
    expect(up.every((v) => v.consecutiveFailures === 0 && v.lastError === null)).toBe(true);
    await sleep(300);
    const expected = await stored(t);

    const json = firstArrivals(
      syslogJson().map((l) => ({ seq: JSON.parse(jsonOf(l)).seq as number, body: jsonOf(l) })),
    );
    expect(json.map((j) => j.body)).toEqual(expected);
    expect(verifyJsonLines(json.map((j) => j.body))).toMatchObject({ ok: true, events: expected.length });
    const cef = firstArrivals(syslogCef().map((l) => parseCefEvent(l.slice(l.indexOf('CEF:0|')))));
    expect(cef.map((e) => e.seq)).toEqual(expected.map((_, i) => i + 1));
    // The file rsyslog wrote, checked as an auditor would: `rbcd audit verify --allow-repeats`.
    const verified = await verifyFile(rsyslog.jsonOutput);
    expect(verified).toMatchObject({ code: 0, result: { ok: true, events: expected.length, firstSeq: 1 } });
    expect(firstArrivals(hecEvents().map((h) => h.event)).map((e) => JSON.stringify(e))).toEqual(expected);
    expect((await t.http().get('/metrics').expect(200)).text).toMatch(
      /rbcd_audit_sink_lag_events\{sink="siem-json"\} 0/,
    );
  });

  it('replay from a sequence number (admin only, audited); bad names and numbers are refused', async () => {
    const auditor = await issueKey(t, 'sink-auditor', ['auditor']);
    await t.http().get('/api/v1/audit/sinks').set(auditor).expect(403);
    await t.http().post('/api/v1/audit/sinks/splunk/replay').set(auditor).send({ fromSeq: 1 }).expect(403);
    await t.http().post('/api/v1/audit/sinks/nope/replay').set(t.admin).send({ fromSeq: 1 }).expect(404);
    await t.http().post('/api/v1/audit/sinks/splunk/replay').set(t.admin).send({ fromSeq: 0 }).expect(400);
    const head = (await sinks(t))[0].headSeq;
    const tooFar = await t
      .http()
      .post('/api/v1/audit/sinks/splunk/replay')
      .set(t.admin)
      .send({ fromSeq: head + 5 })
      .expect(400);
    expect(tooFar.body.error.code).toBe('VALIDATION_FAILED');

    await caughtUp(t); // the refused calls above are audited too: delivered before the replay starts
    const before = hecEvents().length;
    const replayed = await t
      .http()
      .post('/api/v1/audit/sinks/splunk/replay')
      .set(t.admin)
      .send({ fromSeq: 3 })
      .expect(200);
    expect(replayed.body).toMatchObject({ name: 'splunk', deliveredSeq: 2 });
    await caughtUp(t);
    const again = hecEvents()
      .slice(before)
      .map((h) => h.event.seq);
    expect(again[0]).toBe(3);
    expect(again[again.length - 1]).toBe(head + 1); // the replay's own audit event
    const last = hecEvents()[hecEvents().length - 1].event;
    expect(last).toMatchObject({ type: 'audit.sink-replayed', data: { sink: 'splunk', fromSeq: 3 } });

    const gql = await t
      .http()
      .post('/graphql')
      .set(t.admin)
      .send({ query: '{ auditSinks { name lag deliveredSeq } }' })
      .expect(200);
    expect(gql.body.data.auditSinks.map((s: { name: string }) => s.name)).toEqual(['siem-json', 'siem-cef', 'splunk']);
  });
});

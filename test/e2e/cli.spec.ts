// `rbcd`, the admin CLI, end to end against the service wired to the sandbox DC: sign-in (key
// file mode 0600), the reads, the workflow (plan, confirmation, approve, reject, wait and its exit
// codes), policy refusals (exit 3) next to allowed grants, and the audit exported then verified
// offline, intact and tampered. Most runs call runCli in-process (fast); a few spawn bin/rbcd.js.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { verifyJsonLines } from '../../src/audit/audit-chain';
import { AuditService } from '../../src/audit/audit.service';
import { runCli } from '../../src/cli/main';
import { UnitOfWork } from '../../src/database/unit-of-work';
import { createComputer, deleteObject, REPO_ROOT, uniqueName, type CreatedComputer } from '../support/sandbox';
import { createTestApp, TEST_ADMIN_KEY, type TestApp } from '../support/test-app';
import { issueKey, SANDBOX_CONFIG } from '../support/workflow';

interface Run {
  code: number;
  out: string;
  err: string;
}

describe('rbcd, the admin CLI, against the sandbox', () => {
  let t: TestApp;
  let url: string;
  let dir: string;
  let target: CreatedComputer;
  let requesterKey: string;
  let approverKey: string;

  /** One command line in-process, as `key` (a file-less sign-in through the environment). */
  const cli = async (
    args: string[],
    key: string,
    options: { input?: string; env?: Record<string, string> } = {},
  ): Promise<Run> => {
    const out = new PassThrough();
    const err = new PassThrough();
    const input = new PassThrough();
    input.end(options.input ?? '');
    let o = '';
    let e = '';
    out.on('data', (c) => (o += c));
    err.on('data', (c) => (e += c));
    const code = await runCli(args, {
      out,
      err,
      in: input,
      env: { RBCD_URL: url, RBCD_API_KEY: key, RBCD_CREDENTIALS: join(dir, 'none.json'), ...options.env },
    });
    return { code, out: o, err: e };
  };

  /** bin/rbcd.js as its own process (what `npx rbcd` runs). */
  const spawnCli = (args: string[], env: Record<string, string>, input = ''): Promise<Run> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'rbcd.js'), ...args], {
        env: { PATH: process.env.PATH ?? '', HOME: dir, ...env },
        stdio: 'pipe',
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (c) => (out += c));
      child.stderr.on('data', (c) => (err += c));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? -1, out, err }));
      child.stdin.end(input);
    });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rbcd-cli-'));
    t = await createTestApp({
      env: { RBCD_CONFIG: SANDBOX_CONFIG, RBCD_JOB_POLL_MS: '50' },
      worker: true,
      config: {
        policy: {
          defaults: { requiredApprovals: 1, maxDuration: 'P30D', requireTicket: false },
          rules: [
            { match: { targetDnSuffix: 'OU=Tier0,DC=contoso,DC=test' }, deny: 'Tier 0 assets never accept delegation' },
          ],
        },
      },
    });
    await t.app.listen(0, '127.0.0.1');
    url = await t.app.getUrl();
    url = url.replace('[::1]', '127.0.0.1');
    requesterKey = (await issueKey(t, 'cli-requester', ['requester'])).Authorization.slice('Bearer '.length);
    approverKey = (await issueKey(t, 'cli-approver', ['approver'])).Authorization.slice('Bearer '.length);
    target = await createComputer(uniqueName('CLI'));
  });

  afterAll(async () => {
    await t?.close();
    if (target) await deleteObject(target.dn).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('login: a refused key is not saved; a good key is saved in a file only its owner can read', async () => {
    const credentials = join(dir, 'cfg', 'credentials.json');
    const refused = await spawnCli(['login', url, '--api-key-stdin'], { RBCD_CREDENTIALS: credentials }, 'not-a-key\n');
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('UNAUTHENTICATED');
    expect(() => statSync(credentials)).toThrow();

    const ok = await spawnCli(
      ['login', `${url}/`, '--api-key-stdin'],
      { RBCD_CREDENTIALS: credentials },
      `${TEST_ADMIN_KEY}\n`,
    );
    expect(ok).toMatchObject({ code: 0 });
    expect(statSync(credentials).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(credentials, 'utf8'))).toEqual({ url, apiKey: TEST_ADMIN_KEY });
    expect(ok.out).not.toContain(TEST_ADMIN_KEY);

    const who = await spawnCli(['who', 'SERVERC', '--json'], { RBCD_CREDENTIALS: credentials });
    expect(who.code).toBe(0);
    expect(JSON.parse(who.out).target.samAccountName).toBe('SERVERC$');

    // A credentials file others can read is refused, not used.
    chmodSync(credentials, 0o644);
    const exposed = await spawnCli(['who', 'SERVERC'], { RBCD_CREDENTIALS: credentials });
    expect(exposed.code).toBe(1);
    expect(exposed.err).toContain('CREDENTIALS_EXPOSED');
  });

  it('usage errors exit 2; API errors print the code and message and exit 1', async () => {
    expect((await cli(['who'], TEST_ADMIN_KEY)).code).toBe(2);
    expect((await cli(['who', 'SERVERC', '--bogus'], TEST_ADMIN_KEY)).code).toBe(2);
    expect((await cli(['frobnicate'], TEST_ADMIN_KEY)).code).toBe(2);
    const missing = await cli(['who', 'NOSUCHHOST'], TEST_ADMIN_KEY);
    expect(missing).toMatchObject({ code: 1 });
    expect(missing.err).toMatch(/TARGET_NOT_FOUND: .*NOSUCHHOST/);
    const json = await cli(['status', '00000000-0000-4000-8000-000000000000', '--json'], TEST_ADMIN_KEY);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.err).error.code).toBe('REQUEST_NOT_FOUND');
    const forbidden = await cli(['audit', 'export'], requesterKey);
    expect(forbidden.code).toBe(1);
    expect(forbidden.err).toContain('FORBIDDEN');
  });

  it('reads: who, where, diagnose (pass/warn/fail marked), inventory as table, csv and json', async () => {
    const who = await cli(['who', 'SERVERC'], TEST_ADMIN_KEY);
    expect(who.code).toBe(0);
    expect(who.out).toContain('SERVERC$ (contoso.test)');
    const where = await cli(['where', 'SERVERB', '--json'], TEST_ADMIN_KEY);
    expect(JSON.parse(where.out).principal.samAccountName).toBe('SERVERB$');
    const diagnose = await cli(['diagnose', 'carol', 'SERVERB', 'SERVERC'], TEST_ADMIN_KEY);
    expect(diagnose.code).toBe(1); // carol is NOT_DELEGATED
    expect(diagnose.out).toMatch(/\[FAIL\] /);
    expect(diagnose.out).toMatch(/\[pass\] /);
    const csv = await cli(['inventory', '--base', 'OU=Servers,DC=contoso,DC=test', '--format', 'csv'], TEST_ADMIN_KEY);
    expect(csv.code).toBe(0);
    expect(csv.out.split('\r\n')[0]).toBe('account,domain,kinds,rbcd,constrainedTo,risks,dn');
    expect(csv.out).toContain('SERVERB$');
    const json = await cli(['inventory', '--base', 'OU=Servers,DC=contoso,DC=test', '--json'], TEST_ADMIN_KEY);
    expect(JSON.parse(json.out).items.some((i: { samAccountName: string }) => i.samAccountName === 'SERVERB$')).toBe(
      true,
    );
    expect((await cli(['inventory', '--format', 'xml'], TEST_ADMIN_KEY)).code).toBe(2);
  });

  it('who: the writers as a table (writer, domain, class, via, rights, sid), outside Tier 0 first, with the warnings', async () => {
    const helpdesk = await cli(['who', 'HDWRITE01'], TEST_ADMIN_KEY);
    expect(helpdesk.code).toBe(0);
    const lines = helpdesk.out.split('\n');
    const header = lines.findIndex((l) => /^WRITER\s+DOMAIN\s+CLASS\s+VIA\s+RIGHTS\s+SID$/.test(l));
    expect(header).toBeGreaterThan(0);
    expect(lines[header + 1]).toMatch(/^RBCD-Helpdesk\s+contoso\.test\s+OTHER\s+ace\s+WriteProperty\s+S-1-5-21-/);
    const rows = lines.slice(header + 1, lines.indexOf('', header + 1));
    expect(rows.some((r) => /^SELF\s+self\s+ace\s+WriteProperty\s+S-1-5-10$/.test(r))).toBe(true);
    expect(rows.some((r) => /^svc-rbcd\s+contoso\.test\s+service\s+ace\s+WriteProperty\s/.test(r))).toBe(true);
    expect(rows.some((r) => /^Domain Admins\s+contoso\.test\s+tier0\s/.test(r))).toBe(true);
    expect(helpdesk.out).toMatch(/RBCD_WRITABLE_BY_NON_TIER0: Outside Tier 0, RBCD-Helpdesk \(WriteProperty\)/);
    expect(helpdesk.out).toMatch(/RBCD_SELF_WRITABLE: /);

    const owned = await cli(['who', 'OWNED01'], TEST_ADMIN_KEY);
    expect(owned.out).toMatch(/\nalice\s+contoso\.test\s+OTHER\s+owner\s+WriteDacl\s+S-1-5-21-/);
    // Negative control: the inherit-only ACE on IOWRITE01 makes the helpdesk no writer there.
    const inheritOnly = await cli(['who', 'IOWRITE01'], TEST_ADMIN_KEY);
    expect(inheritOnly.out).not.toMatch(/OTHER/);
    expect(inheritOnly.out).not.toContain('RBCD_WRITABLE_BY_NON_TIER0');
    // --json carries the API's writers as they are.
    const json = JSON.parse((await cli(['who', 'HDWRITE01', '--json'], TEST_ADMIN_KEY)).out);
    expect(Object.keys(json.writers[0]).sort()).toEqual(
      ['class', 'dn', 'domain', 'resolved', 'rights', 'samAccountName', 'sid', 'via'].sort(),
    );
  });

  it('request grant: refused by policy exits 3 and files nothing; no terminal and no --yes exits 2', async () => {
    const before = await t.http().get('/api/v1/requests').set(t.admin).expect(200);
    const refused = await cli(
      ['request', 'grant', 'SERVERB', '->', 'PAW01', '--because', 'test', '--yes'],
      requesterKey,
    );
    expect(refused.code).toBe(3);
    expect(refused.err).toContain('Tier 0 assets never accept delegation');
    const unconfirmed = await cli(
      ['request', 'grant', 'SERVERB', 'to', target.samAccountName, '--because', 'test'],
      requesterKey,
    );
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.out).toContain('Plan: grant SERVERB');
    expect((await cli(['request', 'grant', 'SERVERB', '->', target.samAccountName], requesterKey)).code).toBe(2); // no --because
    expect(
      (
        await cli(
          ['request', 'grant', 'SERVERB', '->', target.samAccountName, '--because', 'x', '--for', 'soon', '--yes'],
          requesterKey,
        )
      ).code,
    ).toBe(2);
    const after = await t.http().get('/api/v1/requests').set(t.admin).expect(200);
    expect(after.body.items.length).toBe(before.body.items.length);
  });

  it('request grant --yes, approve, wait: applied, exit 0; a second request rejected: wait exits 3', async () => {
    const filed = await cli(
      [
        'request',
        'grant',
        'SERVERB',
        '->',
        target.samAccountName,
        '--for',
        '8h',
        '--because',
        'CLI test',
        '--ticket',
        'servicenow:CHG0012345',
        '--yes',
        '--json',
      ],
      requesterKey,
    );
    expect(filed.code).toBe(0);
    const { plan, request } = JSON.parse(filed.out);
    expect(plan.items[0]).toMatchObject({ changed: true, policy: { allowed: true } });
    expect(request).toMatchObject({
      status: 'pending',
      ticket: { system: 'servicenow', id: 'CHG0012345' },
      justification: 'CLI test',
    });

    const self = await cli(['approve', request.id], requesterKey);
    expect(self.code).toBe(1);
    expect(self.err).toMatch(/FORBIDDEN|SELF_APPROVAL/);

    expect((await cli(['approve', request.id, '--comment', 'ok'], approverKey)).code).toBe(0);
    const waited = await cli(['wait', request.id, '--interval', '100ms', '--timeout', '60s'], requesterKey);
    expect(waited.code).toBe(0);
    expect(waited.out).toContain(': applied');
    const who = await cli(['who', target.samAccountName, '--json'], TEST_ADMIN_KEY);
    expect(JSON.parse(who.out).principals.map((p: { samAccountName: string }) => p.samAccountName)).toEqual([
      'SERVERB$',
    ]);

    const second = JSON.parse(
      (
        await cli(
          ['request', 'grant', 'SERVERD', 'to', target.samAccountName, '--because', 'x', '--yes', '--json'],
          requesterKey,
        )
      ).out,
    ).request;
    expect((await cli(['reject', second.id], approverKey)).code).toBe(2); // a reason is required
    expect((await cli(['reject', second.id, '--comment', 'no'], approverKey)).code).toBe(0);
    const status = await cli(['status', second.id], requesterKey);
    expect(status.out).toContain(`Request ${second.id}: rejected`);
    expect((await cli(['wait', second.id], requesterKey)).code).toBe(3);
  });

  it('audit export, then verify offline: intact passes; an altered, a removed and a reordered event are named', async () => {
    const file = join(dir, 'audit.jsonl');
    const exported = await cli(['audit', 'export', '--output', file], TEST_ADMIN_KEY);
    expect(exported.code).toBe(0);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(5);
    expect(JSON.parse(lines[0]).seq).toBe(1);

    // Offline: no URL, no key, from a separate process.
    const ok = await spawnCli(['audit', 'verify', file], {});
    expect(ok).toMatchObject({ code: 0 });
    expect(ok.out).toContain(`OK: ${lines.length} events, from the first event (genesis)`);

    const tampered = lines.map((line, i) =>
      i === 3 ? line.replace(/"actor":"[^"]*"/, '"actor":"apikey:nobody"') : line,
    );
    writeFileSync(join(dir, 'tampered.jsonl'), tampered.join('\n') + '\n');
    const bad = await spawnCli(['audit', 'verify', join(dir, 'tampered.jsonl'), '--json'], {});
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.out)).toMatchObject({
      ok: false,
      events: 3,
      firstBadSeq: 4,
      reason: 'event 4 was altered after it was written',
    });

    writeFileSync(join(dir, 'removed.jsonl'), [...lines.slice(0, 2), ...lines.slice(3)].join('\n'));
    const removed = await cli(['audit', 'verify', join(dir, 'removed.jsonl')], '');
    expect(removed).toMatchObject({ code: 1 });
    expect(removed.out).toContain('BROKEN at event 3: event 3 is missing');

    writeFileSync(join(dir, 'reordered.jsonl'), [lines[0], lines[2], lines[1], ...lines.slice(3)].join('\n'));
    expect((await cli(['audit', 'verify', join(dir, 'reordered.jsonl')], '')).code).toBe(1);

    // A partial export (--from-seq) verifies anchored on its first link, and against a pinned anchor.
    const partial = await cli(['audit', 'export', '--from-seq', '3'], TEST_ADMIN_KEY);
    writeFileSync(join(dir, 'partial.jsonl'), partial.out);
    const anchor = JSON.parse(lines[1]).hash as string;
    expect((await cli(['audit', 'verify', join(dir, 'partial.jsonl'), '--anchor', anchor], '')).code).toBe(0);
    expect(
      (await cli(['audit', 'verify', join(dir, 'partial.jsonl'), '--anchor', JSON.parse(lines[0]).hash], '')).code,
    ).toBe(1);
    expect((await cli(['audit', 'verify', join(dir, 'nope.jsonl')], '')).code).toBe(1);

    // The server's own verification agrees with the export.
    expect((await t.http().get('/api/v1/audit/verify').set(t.admin).expect(200)).body).toEqual({
      ok: true,
      events: expect.any(Number),
    });
  });
});

describe.each(['sqlite', 'postgres'] as const)('GET /audit/export on %s', (database) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ database });
  });
  afterAll(() => t?.close());

  it('streams the whole chain as JSON Lines, oldest first, across pages; --since and fromSeq start later; bad input is 400', async () => {
    const audit = t.app.get(AuditService);
    await t.app.get(UnitOfWork).run(async (m) => {
      for (let i = 0; i < 1005; i++)
        await audit.append(m, { actor: 'test', type: 'drift.detected', data: { i, text: 'ünïcode "quoted"\n' } });
    });
    const res = await t.http().get('/api/v1/audit/export').set(t.admin).expect(200);
    expect(res.headers['content-type']).toContain('application/x-ndjson');
    const lines = res.text.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(1005);
    expect(verifyJsonLines(lines)).toMatchObject({ ok: true, events: lines.length, firstSeq: 1 });
    const from = await t.http().get('/api/v1/audit/export?fromSeq=1000').set(t.admin).expect(200);
    expect(JSON.parse(from.text.split('\n')[0]).seq).toBe(1000);
    const future = await t.http().get('/api/v1/audit/export?since=2999-01-01T00:00:00Z').set(t.admin).expect(200);
    expect(future.text).toBe('');
    await t.http().get('/api/v1/audit/export?fromSeq=0').set(t.admin).expect(400);
    await t.http().get('/api/v1/audit/export?since=yesterday').set(t.admin).expect(400);
  });
});

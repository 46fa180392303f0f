// `rbcd login --oidc`: the OIDC device-code sign-in (RFC 8628) end to end against a real OpenID
// provider (node oidc-provider, test/support/oidc-provider.ts, shared with the console's tests) and the broker wired to the sandbox
// DC. The CLI shows the verification URI and the user code; the test does the user's part over
// HTTP (code entry, confirmation, sign-in, consent); the CLI's polling gets the tokens, the broker
// accepts the access token, and the file is mode 0600. Next to it: a refresh, a refusal at the
// provider, a broker that refuses the token (another audience), and a provider without the flow.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runCli } from '../../src/cli/main';
import { type OidcTestProvider, startOidcProvider } from '../support/oidc-provider';
import { createTestApp, type TestApp } from '../support/test-app';
import { SANDBOX_CONFIG, sleep } from '../support/workflow';

interface Run {
  code: number;
  out: string;
  err: string;
}

/** One command line in-process; `err()` shows what it printed so far (the code to enter). */
function start(args: string[], env: Record<string, string>): { done: Promise<Run>; err: () => string } {
  const out = new PassThrough();
  const err = new PassThrough();
  const input = new PassThrough();
  input.end('');
  let o = '';
  let e = '';
  out.on('data', (c) => (o += c));
  err.on('data', (c) => (e += c));
  const done = runCli(args, { out, err, in: input, env }).then((code) => ({ code, out: o, err: e }));
  return { done, err: () => e };
}

async function userCode(err: () => string): Promise<string> {
  for (let i = 0; i < 300; i++) {
    const match = /enter the code\n\n\s+(\S+)\n/.exec(err());
    if (match) return match[1];
    await sleep(100);
  }
  throw new Error(`no user code shown: ${err()}`);
}

describe('rbcd login --oidc (device code) against a real OpenID provider', () => {
  let idp: OidcTestProvider;
  let t: TestApp;
  let url: string;
  let dir: string;
  const scope = 'openid offline_access rbcd';
  const AUDIENCE = 'api://rbcd-broker';

  const brokerFor = async (provider: OidcTestProvider, audience = AUDIENCE) => {
    const app = await createTestApp({
      env: {
        RBCD_CONFIG: SANDBOX_CONFIG,
        OIDC_ISSUER: provider.issuer,
        OIDC_AUDIENCE: audience,
        OIDC_JWKS_URL: provider.jwksUrl,
      },
    });
    await app.app.listen(0, '127.0.0.1');
    return { app, url: (await app.app.getUrl()).replace('[::1]', '127.0.0.1') };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rbcd-oidc-'));
    idp = await startOidcProvider({
      users: { alice: { roles: ['auditor'] } },
      clients: [{ clientId: 'rbcd-cli', device: true }],
    });
    ({ app: t, url } = await brokerFor(idp));
  });

  afterAll(async () => {
    await t?.close();
    await idp?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows the URI and the code, the user signs in elsewhere, the broker accepts the token; saved mode 0600, refreshed when it expires', async () => {
    const credentials = join(dir, 'signed-in', 'credentials.json');
    const env = { RBCD_CREDENTIALS: credentials };
    const login = start(['login', url, '--oidc', idp.issuer, '--scope', scope], env);
    const code = await userCode(login.err);
    expect(login.err()).toContain(`open ${idp.issuer}/device in a browser`);
    await idp.approveDevice(code, 'alice');
    const done = await login.done;
    expect(done).toMatchObject({ code: 0 });
    expect(done.out).toMatch(new RegExp(`Signed in to ${url} through ${idp.issuer}.*refreshed as they expire`));
    expect(statSync(credentials).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(readFileSync(credentials, 'utf8'));
    expect(stored).toMatchObject({
      url,
      oidc: { issuer: idp.issuer, clientId: 'rbcd-cli', tokenKind: 'access_token' },
    });
    expect(stored.apiKey).toBeUndefined();
    expect(typeof stored.oidc.refreshToken).toBe('string');

    // The broker takes the access token: a read as alice (role auditor from the token).
    const who = await start(['who', 'SERVERC', '--json'], env).done;
    expect(who.code).toBe(0);
    expect(JSON.parse(who.out).target.samAccountName).toBe('SERVERC$');

    // About to expire: the next command refreshes it first and rewrites the file (still 0600).
    writeFileSync(
      credentials,
      JSON.stringify({ ...stored, oidc: { ...stored.oidc, expiresAt: new Date(Date.now() - 1000).toISOString() } }),
      { mode: 0o600 },
    );
    const again = await start(['who', 'SERVERC', '--json'], env).done;
    expect(again.code).toBe(0);
    const refreshed = JSON.parse(readFileSync(credentials, 'utf8'));
    expect(refreshed.oidc.token).not.toBe(stored.oidc.token);
    expect(Date.parse(refreshed.oidc.expiresAt)).toBeGreaterThan(Date.now());
    expect(statSync(credentials).mode & 0o777).toBe(0o600);

    // Negative control: expired with no refresh token left, the CLI asks for a new sign-in.
    writeFileSync(
      credentials,
      JSON.stringify({
        ...refreshed,
        oidc: { ...refreshed.oidc, refreshToken: undefined, expiresAt: new Date(Date.now() - 1000).toISOString() },
      }),
      { mode: 0o600 },
    );
    const expired = await start(['who', 'SERVERC'], env).done;
    expect(expired.code).toBe(1);
    expect(expired.err).toMatch(/SIGN_IN_EXPIRED|rbcd login/);
  });

  it('refused at the provider: exit 1 with the reason, nothing saved', async () => {
    const credentials = join(dir, 'denied', 'credentials.json');
    const login = start(['login', url, '--oidc', idp.issuer, '--scope', scope, '--json'], {
      RBCD_CREDENTIALS: credentials,
    });
    await idp.denyDevice(await userCode(login.err));
    const done = await login.done;
    expect(done.code).toBe(1);
    expect(done.err).toContain('OIDC_ACCESS_DENIED');
    expect(() => statSync(credentials)).toThrow();
  });

  it('a token the broker refuses (issued for another audience) is not saved', async () => {
    const other = await brokerFor(idp, 'another-service');
    try {
      const credentials = join(dir, 'wrong-audience', 'credentials.json');
      const login = start(['login', other.url, '--oidc', idp.issuer, '--scope', scope], {
        RBCD_CREDENTIALS: credentials,
      });
      await idp.approveDevice(await userCode(login.err), 'alice');
      const done = await login.done;
      expect(done.code).toBe(1);
      expect(done.err).toMatch(/UNAUTHENTICATED|401/);
      expect(() => statSync(credentials)).toThrow();
    } finally {
      await other.app.close();
    }
  });

  it('a provider that does not offer the device flow: exit 1, told to use an API key', async () => {
    const plain = await startOidcProvider({ users: {}, clients: [], deviceFlow: false });
    try {
      const done = await start(['login', url, '--oidc', plain.issuer], {
        RBCD_CREDENTIALS: join(dir, 'plain', 'credentials.json'),
      }).done;
      expect(done.code).toBe(1);
      expect(done.err).toMatch(/does not offer the device flow.*API key/);
    } finally {
      await plain.stop();
    }
  });
});

// The device flow's polling rules (RFC 8628 §3.4-3.5) on a scripted provider: waits on
// authorization_pending, backs off 5 s more on each slow_down, stops on access_denied and
// expired_token, refuses a provider without the device endpoint; and the refresh of an expiring
// token. End to end against a real provider: test/e2e/cli-oidc-login.spec.ts.
import { CliFailure } from './exit-codes';
import { type DeviceFlowDeps, deviceSignIn, freshSession, type OidcSession } from './oidc-device';

const ISSUER = 'https://idp.example.test';

function jwt(exp: number, extra: Record<string, unknown> = {}): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'RS256' })}.${part({ sub: 'alice', exp, ...extra })}.c2ln`;
}

/** A provider that answers the token endpoint from a script, and a clock that sleep() advances. */
function provider(tokenAnswers: { status: number; body: object }[], discovery: object = {}) {
  let now = 1_000_000_000_000;
  const sleeps: number[] = [];
  const requests: { url: string; form: Record<string, string> }[] = [];
  const deps: DeviceFlowDeps = {
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
    fetch: (async (input: string | URL, init?: RequestInit) => {
      const url = String(input);
      const form = Object.fromEntries(new URLSearchParams(String(init?.body ?? '')));
      requests.push({ url, form });
      const json = (status: number, body: object) =>
        new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
      if (url.endsWith('/.well-known/openid-configuration'))
        return json(200, {
          issuer: ISSUER,
          token_endpoint: `${ISSUER}/token`,
          device_authorization_endpoint: `${ISSUER}/device/auth`,
          ...discovery,
        });
      if (url.endsWith('/device/auth'))
        return json(200, {
          device_code: 'dev-123',
          user_code: 'WDJB-MJHT',
          verification_uri: `${ISSUER}/device`,
          expires_in: 600,
        });
      const next = tokenAnswers.shift();
      if (!next) throw new Error('polled more than scripted');
      return json(next.status, next.body);
    }) as typeof fetch,
  };
  return { deps, sleeps, requests, now: () => now };
}

const signIn = (deps: DeviceFlowDeps) =>
  deviceSignIn({ issuer: ISSUER, clientId: 'rbcd-cli', scope: 'openid offline_access' }, () => undefined, deps);
const failureCode = async (promise: Promise<unknown>) => {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(CliFailure);
  return (error as CliFailure).code;
};

describe('OIDC device flow (RFC 8628)', () => {
  it('waits on authorization_pending at the default 5 s, adds 5 s per slow_down, and keeps the tokens', async () => {
    const p = provider([
      { status: 400, body: { error: 'authorization_pending' } },
      { status: 400, body: { error: 'slow_down' } },
      { status: 400, body: { error: 'authorization_pending' } },
      { status: 200, body: { access_token: jwt(2_000_000_000), refresh_token: 'r1', expires_in: 300 } },
    ]);
    const session = await signIn(p.deps);
    expect(p.sleeps).toEqual([5000, 5000, 10_000, 10_000]);
    expect(session).toMatchObject({ tokenKind: 'access_token', refreshToken: 'r1', tokenEndpoint: `${ISSUER}/token` });
    expect(session.expiresAt).toBe(new Date(2_000_000_000 * 1000).toISOString());
    const polls = p.requests.filter((r) => r.url.endsWith('/token'));
    expect(polls[0].form).toEqual({
      grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
      device_code: 'dev-123',
      client_id: 'rbcd-cli',
    });
  });

  it('an opaque access token: the ID token is what the broker gets', async () => {
    const p = provider([{ status: 200, body: { access_token: 'opaque', id_token: jwt(2_000_000_000) } }]);
    expect((await signIn(p.deps)).tokenKind).toBe('id_token');
  });

  it('access_denied and expired_token stop the polling with their own codes', async () => {
    expect(await failureCode(signIn(provider([{ status: 400, body: { error: 'access_denied' } }]).deps))).toBe(
      'OIDC_ACCESS_DENIED',
    );
    expect(await failureCode(signIn(provider([{ status: 400, body: { error: 'expired_token' } }]).deps))).toBe(
      'OIDC_EXPIRED_TOKEN',
    );
  });

  it('a provider without device_authorization_endpoint is refused before anything is shown', async () => {
    const shown = jest.fn();
    const p = provider([], { device_authorization_endpoint: undefined });
    const error = await deviceSignIn({ issuer: ISSUER, clientId: 'c', scope: 'openid' }, shown, p.deps).catch(
      (e: unknown) => e,
    );
    expect((error as CliFailure).code).toBe('OIDC_DEVICE_FLOW_UNSUPPORTED');
    expect(shown).not.toHaveBeenCalled();
  });

  it('a discovery document that names another issuer is refused', async () => {
    expect(await failureCode(signIn(provider([], { issuer: 'https://evil.example.test' }).deps))).toBe(
      'OIDC_DISCOVERY_FAILED',
    );
  });

  describe('refresh', () => {
    const session = (expiresAt: number, refreshToken?: string): OidcSession => ({
      issuer: ISSUER,
      clientId: 'rbcd-cli',
      tokenEndpoint: `${ISSUER}/token`,
      token: jwt(expiresAt / 1000),
      tokenKind: 'access_token',
      expiresAt: new Date(expiresAt).toISOString(),
      refreshToken,
      scope: 'openid offline_access',
    });

    it('a token good for more than a minute is used as it is', async () => {
      const p = provider([]);
      const s = session(p.now() + 10 * 60_000, 'r1');
      await expect(freshSession(s, p.deps)).resolves.toEqual({ session: s, changed: false });
      expect(p.requests).toEqual([]);
    });

    it('an expiring one is refreshed; a rotated refresh token replaces the old one', async () => {
      const p = provider([{ status: 200, body: { access_token: jwt(2_100_000_000), refresh_token: 'r2' } }]);
      const { session: next, changed } = await freshSession(session(p.now() + 30_000, 'r1'), p.deps);
      expect(changed).toBe(true);
      expect(next.refreshToken).toBe('r2');
      expect(p.requests[0].form).toEqual({ grant_type: 'refresh_token', refresh_token: 'r1', client_id: 'rbcd-cli' });
    });

    it('expired without a refresh token, or refused: SIGN_IN_EXPIRED', async () => {
      const p = provider([{ status: 400, body: { error: 'invalid_grant' } }]);
      expect(await failureCode(freshSession(session(p.now() - 1000), p.deps))).toBe('SIGN_IN_EXPIRED');
      expect(await failureCode(freshSession(session(p.now() - 1000, 'r1'), p.deps))).toBe('SIGN_IN_EXPIRED');
    });
  });
});

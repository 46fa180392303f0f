// OIDC sign-in for the CLI with the device authorization grant (RFC 8628): the provider's
// discovery document names its device_authorization_endpoint (no endpoint: the provider does not
// offer the flow); the CLI shows the verification URI and the user code, then polls the token
// endpoint, waiting on authorization_pending and backing off 5 s more on each slow_down, until the
// user signs in elsewhere (a browser on any machine), refuses, or the code expires. Tokens are
// refreshed with the refresh token when the provider gave one. No dependency: fetch only.
import { CliFailure, EXIT } from './exit-codes';

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
/** RFC 8628 §3.2: the interval when the provider names none; §3.5: slow_down adds 5 s. */
const DEFAULT_INTERVAL_S = 5;
const SLOW_DOWN_S = 5;
/** Refresh this long before the token expires (clock skew, a slow command). */
const REFRESH_MARGIN_MS = 60_000;

/** What the credentials file keeps of an OIDC sign-in. */
export interface OidcSession {
  issuer: string;
  clientId: string;
  tokenEndpoint: string;
  /** What the CLI presents to the broker: the access token when it is a JWT, else the ID token. */
  token: string;
  tokenKind: 'access_token' | 'id_token';
  /** ISO time the token expires. */
  expiresAt: string;
  refreshToken?: string;
  scope: string;
}

export interface DeviceFlowDeps {
  fetch: typeof fetch;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
}

export const REAL_DEPS: DeviceFlowDeps = {
  fetch: (...args) => fetch(...args),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now: () => Date.now(),
};

export interface DevicePrompt {
  verificationUri: string;
  verificationUriComplete?: string;
  userCode: string;
  expiresInS: number;
}

interface TokenResponse {
  access_token?: string;
  id_token?: string;
  refresh_token?: string;
  expires_in?: number;
  scope?: string;
  error?: string;
  error_description?: string;
}

function fail(message: string, code: string): CliFailure {
  return new CliFailure(message, EXIT.failed, code);
}

async function getJson<T>(deps: DeviceFlowDeps, url: string, init?: RequestInit): Promise<{ status: number; body: T }> {
  let response: Response;
  try {
    response = await deps.fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    throw fail(`cannot reach ${new URL(url).origin}: ${cause?.code ?? (error as Error).message}`, 'UNREACHABLE');
  }
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) as T };
  } catch {
    throw fail(`${url} answered ${response.status} with something that is not JSON`, 'OIDC_PROVIDER_ERROR');
  }
}

function postForm(deps: DeviceFlowDeps, url: string, form: Record<string, string | undefined>) {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(form)) if (value) body.set(key, value);
  return getJson<TokenResponse & Record<string, unknown>>(deps, url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body,
  });
}

/** The provider's endpoints from its discovery document (OpenID Connect Discovery 1.0). */
export async function discover(
  issuer: string,
  deps: DeviceFlowDeps,
): Promise<{ tokenEndpoint: string; deviceAuthorizationEndpoint?: string }> {
  const base = issuer.replace(/\/+$/, '');
  const { status, body } = await getJson<Record<string, unknown>>(deps, `${base}/.well-known/openid-configuration`);
  if (status !== 200 || typeof body.token_endpoint !== 'string')
    throw fail(`${base} has no OpenID discovery document (HTTP ${status})`, 'OIDC_DISCOVERY_FAILED');
  // The document must be the issuer's own (OpenID Connect Discovery §4.3).
  if (typeof body.issuer !== 'string' || body.issuer.replace(/\/+$/, '') !== base)
    throw fail(
      `the discovery document of ${base} names another issuer (${String(body.issuer)})`,
      'OIDC_DISCOVERY_FAILED',
    );
  return {
    tokenEndpoint: body.token_endpoint,
    deviceAuthorizationEndpoint:
      typeof body.device_authorization_endpoint === 'string' ? body.device_authorization_endpoint : undefined,
  };
}

function looksLikeJwt(token: string | undefined): token is string {
  return typeof token === 'string' && /^[\w-]+\.[\w-]+\.[\w-]*$/.test(token);
}

function jwtExpiry(token: string): number | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof payload.exp === 'number' ? payload.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

function toSession(
  tokens: TokenResponse,
  base: Pick<OidcSession, 'issuer' | 'clientId' | 'tokenEndpoint' | 'scope'>,
  deps: DeviceFlowDeps,
  previous?: OidcSession,
): OidcSession {
  const kind = looksLikeJwt(tokens.access_token) ? 'access_token' : looksLikeJwt(tokens.id_token) ? 'id_token' : null;
  if (!kind)
    throw fail(
      'the provider issued neither a JWT access token nor an ID token; the broker accepts JWTs only (ask for its audience with --resource or --scope)',
      'OIDC_TOKEN_UNUSABLE',
    );
  const token = tokens[kind] as string;
  const expiresAt =
    jwtExpiry(token) ??
    deps.now() + (kind === 'access_token' && tokens.expires_in ? tokens.expires_in * 1000 : 300_000);
  return {
    ...base,
    token,
    tokenKind: kind,
    expiresAt: new Date(expiresAt).toISOString(),
    refreshToken: tokens.refresh_token ?? previous?.refreshToken,
    scope: tokens.scope ?? base.scope,
  };
}

/**
 * The whole device flow: discovery, device authorization, `show` (what the user must open and
 * type), then polling until the tokens come. Refusals and expiry are CliFailures with the
 * provider's error code.
 */
export async function deviceSignIn(
  input: { issuer: string; clientId: string; scope: string; resource?: string },
  show: (prompt: DevicePrompt) => void,
  deps: DeviceFlowDeps = REAL_DEPS,
): Promise<OidcSession> {
  const issuer = input.issuer.replace(/\/+$/, '');
  const endpoints = await discover(issuer, deps);
  if (!endpoints.deviceAuthorizationEndpoint)
    throw fail(
      `${issuer} does not offer the device flow (no device_authorization_endpoint in its discovery document); sign in with an API key`,
      'OIDC_DEVICE_FLOW_UNSUPPORTED',
    );
  const started = await postForm(deps, endpoints.deviceAuthorizationEndpoint, {
    client_id: input.clientId,
    scope: input.scope,
    resource: input.resource,
  });
  const grant = started.body as {
    device_code?: string;
    user_code?: string;
    verification_uri?: string;
    verification_uri_complete?: string;
    expires_in?: number;
    interval?: number;
  } & TokenResponse;
  if (started.status !== 200 || !grant.device_code || !grant.user_code || !grant.verification_uri)
    throw fail(
      `the provider refused the device authorization: ${grant.error ?? `HTTP ${started.status}`}${grant.error_description ? ` (${grant.error_description})` : ''}`,
      'OIDC_DEVICE_AUTHORIZATION_FAILED',
    );
  const expiresInS = grant.expires_in ?? 600;
  show({
    verificationUri: grant.verification_uri,
    verificationUriComplete: grant.verification_uri_complete,
    userCode: grant.user_code,
    expiresInS,
  });
  const deadline = deps.now() + expiresInS * 1000;
  let intervalS = grant.interval ?? DEFAULT_INTERVAL_S;
  for (;;) {
    await deps.sleep(intervalS * 1000);
    const polled = await postForm(deps, endpoints.tokenEndpoint, {
      grant_type: DEVICE_CODE_GRANT,
      device_code: grant.device_code,
      client_id: input.clientId,
    });
    if (polled.status === 200)
      return toSession(
        polled.body,
        { issuer, clientId: input.clientId, tokenEndpoint: endpoints.tokenEndpoint, scope: input.scope },
        deps,
      );
    const error = polled.body.error;
    if (error === 'authorization_pending') {
      if (deps.now() > deadline) throw fail('the code expired before anyone signed in', 'OIDC_EXPIRED_TOKEN');
      continue;
    }
    if (error === 'slow_down') {
      intervalS += SLOW_DOWN_S;
      continue;
    }
    if (error === 'access_denied') throw fail('the sign-in was refused at the provider', 'OIDC_ACCESS_DENIED');
    if (error === 'expired_token') throw fail('the code expired before anyone signed in', 'OIDC_EXPIRED_TOKEN');
    throw fail(
      `the provider refused the token request: ${error ?? `HTTP ${polled.status}`}${polled.body.error_description ? ` (${polled.body.error_description})` : ''}`,
      'OIDC_TOKEN_FAILED',
    );
  }
}

/**
 * The session with a token that is good for a while: as it is, or refreshed (refresh_token grant)
 * when it is about to expire. Undefined `changed` when nothing was done.
 */
export async function freshSession(
  session: OidcSession,
  deps: DeviceFlowDeps = REAL_DEPS,
): Promise<{ session: OidcSession; changed: boolean }> {
  if (Date.parse(session.expiresAt) - REFRESH_MARGIN_MS > deps.now()) return { session, changed: false };
  if (!session.refreshToken)
    throw fail(
      'the OIDC sign-in expired and the provider gave no refresh token: run `rbcd login` again',
      'SIGN_IN_EXPIRED',
    );
  const refreshed = await postForm(deps, session.tokenEndpoint, {
    grant_type: 'refresh_token',
    refresh_token: session.refreshToken,
    client_id: session.clientId,
  });
  if (refreshed.status !== 200)
    throw fail(
      `the OIDC sign-in could not be refreshed (${refreshed.body.error ?? `HTTP ${refreshed.status}`}): run \`rbcd login\` again`,
      'SIGN_IN_EXPIRED',
    );
  return { session: toSession(refreshed.body, session, deps, session), changed: true };
}

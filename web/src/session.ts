// Sign-in: an API key (the demo, and scripts), or the organisation's OIDC provider with the
// authorization code flow and PKCE (oidc-client-ts). Everything stays in sessionStorage (gone
// when the tab closes), never localStorage.
import { UserManager, WebStorageStateStore, type User } from 'oidc-client-ts';
import { api, unwrap, useCredential, type Me, type Schemas } from './api';

export type ConsoleConfig = Schemas['ConsoleConfigModel'];

const API_KEY = 'rbcd.apiKey';
const RETURN_TO = 'rbcd.returnTo';

export interface Session {
  me: Me;
  kind: 'api-key' | 'oidc';
}

let manager: UserManager | undefined;

function oidcManager(config: ConsoleConfig): UserManager | undefined {
  if (!config.oidc) return undefined;
  if (manager) return manager;
  const origin = window.location.origin;
  manager = new UserManager({
    authority: config.oidc.issuer,
    client_id: config.oidc.clientId,
    redirect_uri: `${origin}/`,
    post_logout_redirect_uri: `${origin}/`,
    response_type: 'code',
    scope: config.oidc.scope,
    ...(config.oidc.resource ? { resource: config.oidc.resource } : {}),
    userStore: new WebStorageStateStore({ store: window.sessionStorage }),
    stateStore: new WebStorageStateStore({ store: window.sessionStorage }),
    automaticSilentRenew: false,
    loadUserInfo: false,
  });
  return manager;
}

export async function loadConsoleConfig(): Promise<ConsoleConfig> {
  return unwrap(api.GET('/api/v1/console/config'));
}

async function whoAmI(): Promise<Me> {
  return unwrap(api.GET('/api/v1/me'));
}

/** The token the API gets: the access token when it is a JWT, else the ID token. */
function bearerOf(user: User): string | undefined {
  const access = user.access_token;
  if (access && access.split('.').length === 3) return access;
  return user.id_token;
}

/**
 * At start: finish an OIDC redirect (the URL carries ?code&state), or pick up the session of this
 * tab. Returns the session and the place (hash route) to go back to, or undefined when signed out.
 */
export async function restoreSession(config: ConsoleConfig): Promise<{ session?: Session; returnTo?: string }> {
  const oidc = oidcManager(config);
  const query = new URLSearchParams(window.location.search);
  if (oidc && query.has('state') && (query.has('code') || query.has('error'))) {
    const user = await oidc.signinRedirectCallback();
    const returnTo = (user.state as { returnTo?: string } | undefined)?.returnTo ?? sessionStorage.getItem(RETURN_TO);
    sessionStorage.removeItem(RETURN_TO);
    window.history.replaceState(null, '', `/${returnTo ?? '#/'}`);
    useCredential(async () => bearerOf(user));
    return { session: { me: await whoAmI(), kind: 'oidc' }, returnTo: returnTo ?? undefined };
  }
  const key = sessionStorage.getItem(API_KEY);
  if (key) {
    useCredential(async () => key);
    try {
      return { session: { me: await whoAmI(), kind: 'api-key' } };
    } catch {
      sessionStorage.removeItem(API_KEY);
      useCredential(undefined);
      return {};
    }
  }
  const user = oidc ? await oidc.getUser() : null;
  if (user && !user.expired) {
    useCredential(async () => bearerOf(user));
    try {
      return { session: { me: await whoAmI(), kind: 'oidc' } };
    } catch {
      await oidc?.removeUser();
    }
  }
  useCredential(undefined);
  return {};
}

export async function signInWithApiKey(key: string): Promise<Session> {
  useCredential(async () => key);
  try {
    const me = await whoAmI();
    sessionStorage.setItem(API_KEY, key);
    return { me, kind: 'api-key' };
  } catch (error) {
    useCredential(undefined);
    throw error;
  }
}

/** Off to the provider; `maxAge` (seconds) asks for a fresh sign-in (step-up before an approval). */
export async function signInWithOidc(config: ConsoleConfig, returnTo: string, maxAge?: number): Promise<void> {
  const oidc = oidcManager(config);
  if (!oidc) throw new Error('OIDC sign-in is not configured');
  sessionStorage.setItem(RETURN_TO, returnTo);
  await oidc.signinRedirect({
    state: { returnTo },
    ...(maxAge !== undefined ? { max_age: maxAge, prompt: 'login' } : {}),
  });
}

export async function signOut(config: ConsoleConfig, session: Session): Promise<void> {
  sessionStorage.removeItem(API_KEY);
  useCredential(undefined);
  const oidc = oidcManager(config);
  if (session.kind === 'oidc' && oidc) {
    const user = await oidc.getUser();
    await oidc.removeUser();
    // The provider's session ends too when it offers end_session (RP-initiated logout).
    const metadata = await oidc.metadataService.getMetadata().catch(() => undefined);
    if (metadata?.end_session_endpoint && user?.id_token) {
      await oidc.signoutRedirect({ id_token_hint: user.id_token });
      return;
    }
  }
}

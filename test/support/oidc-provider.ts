// A real OpenID provider (node `oidc-provider`) in its own process, for tests that sign in the way
// people do: the web console's authorization code flow with PKCE (and other public clients), and
// the CLI's device code (RFC 8628), whose user part (code entry, confirmation, sign-in, consent)
// approveDevice() does over HTTP through the provider's own pages and cookies, as a browser would.
// oidc-provider is ES-module-only, so it runs as test/support/oidc-provider.mjs, not inside Jest.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export interface OidcTestUser {
  name?: string;
  roles?: string[];
}

export interface OidcTestSettings {
  /** login (the dev login form's "login" field, any password) -> claims. */
  users: Record<string, OidcTestUser>;
  /**
   * Public clients: authorization code + PKCE (with redirect URIs), or `device: true` for the
   * device-code grant with refresh tokens (a CLI; no redirect URI).
   */
  clients: { clientId: string; redirectUris?: string[]; postLogoutRedirectUris?: string[]; device?: boolean }[];
  /** false: the device flow is off (no device_authorization_endpoint in discovery). Default on. */
  deviceFlow?: boolean;
  /** The API its JWT access tokens are for (resource indicator and `aud`). Default api://rbcd-broker (an absolute URI, as RFC 8707 asks). */
  audience?: string;
  /** The API scope a client asks for to get such a token. Default rbcd. */
  apiScope?: string;
}

export interface OidcTestProvider {
  issuer: string;
  jwksUrl: string;
  /** Device flow: enters the user code, confirms, signs in as `login` and consents, over HTTP. */
  approveDevice(userCode: string, login: string): Promise<void>;
  /** Device flow: enters the user code and aborts (the device then gets access_denied). */
  denyDevice(userCode: string): Promise<void>;
  stop(): Promise<void>;
}

/** Cookies by name: what a browser would send back to the provider. */
class CookieJar {
  private readonly cookies = new Map<string, string>();

  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

function hidden(html: string, name: string): string | undefined {
  return new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1];
}

/** One browser visit: follows redirects by hand so that every Set-Cookie is kept. */
async function browse(
  issuer: string,
  jar: CookieJar,
  url: string,
  form?: Record<string, string>,
): Promise<{ url: string; html: string }> {
  let next = new URL(url, issuer).toString();
  let body: URLSearchParams | undefined = form ? new URLSearchParams(form) : undefined;
  for (let hops = 0; hops < 20; hops++) {
    const response = await fetch(next, {
      method: body ? 'POST' : 'GET',
      body,
      headers: { cookie: jar.header(), ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      redirect: 'manual',
    });
    jar.store(response);
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      next = new URL(location, next).toString();
      body = undefined;
      continue;
    }
    const html = await response.text();
    if (response.status >= 400) throw new Error(`${next} answered ${response.status}: ${html.slice(0, 500)}`);
    return { url: next, html };
  }
  throw new Error('too many redirects');
}

/** The device flow's code entry page, then the code: answers the confirmation page. */
async function enterUserCode(
  issuer: string,
  jar: CookieJar,
  userCode: string,
): Promise<{ xsrf: string; html: string }> {
  const entry = await browse(issuer, jar, '/device');
  const xsrf = hidden(entry.html, 'xsrf');
  if (!xsrf) throw new Error(`no code entry form at ${entry.url}`);
  const confirm = await browse(issuer, jar, '/device', { xsrf, user_code: userCode });
  const again = hidden(confirm.html, 'xsrf');
  if (!again || !/name="confirm"/.test(confirm.html))
    throw new Error(`no confirmation form: ${confirm.html.slice(0, 300)}`);
  return { xsrf: again, html: confirm.html };
}

export async function startOidcProvider(settings: OidcTestSettings): Promise<OidcTestProvider> {
  const child: ChildProcess = spawn(process.execPath, [join(__dirname, 'oidc-provider.mjs')], {
    env: { ...process.env, NODE_ENV: 'test', OIDC_TEST_SETTINGS: JSON.stringify(settings) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const issuer = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the OpenID provider did not start: ${stderr}`));
    }, 60_000);
    child.stdout?.on('data', (c: Buffer) => {
      stdout += c.toString();
      const ready = /^READY (\S+)$/m.exec(stdout);
      if (ready) {
        clearTimeout(timer);
        resolve(ready[1]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the OpenID provider exited (${code}): ${stderr}`));
    });
  });
  return {
    issuer,
    jwksUrl: `${issuer}/jwks`,
    async approveDevice(userCode, login) {
      const jar = new CookieJar();
      const { xsrf } = await enterUserCode(issuer, jar, userCode);
      let page = await browse(issuer, jar, '/device', { xsrf, user_code: userCode, confirm: 'yes' });
      for (let step = 0; step < 4 && !/Sign-in Success/.test(page.html); step++) {
        if (/name="prompt" value="login"/.test(page.html))
          page = await browse(issuer, jar, page.url, { prompt: 'login', login, password: 'any' });
        else if (/name="prompt" value="consent"/.test(page.html))
          page = await browse(issuer, jar, page.url, { prompt: 'consent' });
        else throw new Error(`unexpected page ${page.url}: ${page.html.slice(0, 300)}`);
      }
      if (!/Sign-in Success/.test(page.html)) throw new Error(`the sign-in did not finish: ${page.html.slice(0, 300)}`);
    },
    async denyDevice(userCode) {
      const jar = new CookieJar();
      const { xsrf } = await enterUserCode(issuer, jar, userCode);
      await browse(issuer, jar, '/device', { xsrf, user_code: userCode, abort: 'yes' });
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}

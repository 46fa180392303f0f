// A real OpenID provider (node `oidc-provider`) in its own process, for tests that sign in the way
// people do: the web console's authorization code flow with PKCE (and other public clients).
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
  /** Public clients (authorization code + PKCE). */
  clients: { clientId: string; redirectUris: string[]; postLogoutRedirectUris?: string[] }[];
  /** The API its JWT access tokens are for (resource indicator and `aud`). Default api://rbcd-broker (an absolute URI, as RFC 8707 asks). */
  audience?: string;
  /** The API scope a client asks for to get such a token. Default rbcd. */
  apiScope?: string;
}

export interface OidcTestProvider {
  issuer: string;
  jwksUrl: string;
  stop(): Promise<void>;
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
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}

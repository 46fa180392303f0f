// Where `rbcd login` keeps the service URL and the sign-in (an API key, or the tokens of an OIDC
// device-code sign-in): one JSON file, mode 0600, in $RBCD_CREDENTIALS or
// $XDG_CONFIG_HOME/rbcd/credentials.json (~/.config/rbcd/credentials.json).
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CliFailure, EXIT } from './exit-codes';
import type { OidcSession } from './oidc-device';

/** One of the two: an API key, or an OIDC sign-in. */
export interface Credentials {
  url: string;
  apiKey?: string;
  oidc?: OidcSession;
}

export function credentialsPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.RBCD_CREDENTIALS) return env.RBCD_CREDENTIALS;
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'rbcd', 'credentials.json');
}

export function saveCredentials(credentials: Credentials, path = credentialsPath()): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  // writeFileSync keeps the mode of a file that already exists: tighten it too.
  chmodSync(path, 0o600);
}

/** RBCD_URL / RBCD_API_KEY (automation) win over the file. */
export function loadCredentials(env: NodeJS.ProcessEnv = process.env, urlOverride?: string): Credentials {
  let stored: Partial<Credentials> = {};
  const path = credentialsPath(env);
  try {
    const mode = statSync(path).mode & 0o077;
    if (mode !== 0)
      throw new CliFailure(
        `${path} is readable by other users (mode ${(statSync(path).mode & 0o777).toString(8)}): run chmod 600 ${path}`,
        EXIT.failed,
        'CREDENTIALS_EXPOSED',
      );
    stored = JSON.parse(readFileSync(path, 'utf8')) as Partial<Credentials>;
  } catch (error) {
    if (error instanceof CliFailure) throw error;
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new CliFailure(`cannot read ${path}: ${(error as Error).message}`);
  }
  const url = urlOverride ?? env.RBCD_URL ?? stored.url;
  // A stored key or token goes only to the service it was saved for: --url (or RBCD_URL) naming
  // another one would hand it to whoever answers there.
  if (!env.RBCD_API_KEY && stored.url && url && normaliseUrl(url) !== normaliseUrl(stored.url))
    throw new CliFailure(
      `signed in to ${stored.url}, not ${url}: run \`rbcd login ${url}\` (or set RBCD_API_KEY)`,
      EXIT.failed,
      'NOT_SIGNED_IN',
    );
  const apiKey = env.RBCD_API_KEY ?? stored.apiKey;
  // The environment's key wins; the stored OIDC sign-in is used only without one.
  const oidc = apiKey ? undefined : stored.oidc;
  if (!url || (!apiKey && !oidc))
    throw new CliFailure(
      'not signed in: run `rbcd login <url>` first (or set RBCD_URL and RBCD_API_KEY)',
      EXIT.failed,
      'NOT_SIGNED_IN',
    );
  return apiKey ? { url, apiKey } : { url, oidc };
}

function normaliseUrl(url: string): string {
  return url.trim().replace(/\/+$/, '').toLowerCase();
}

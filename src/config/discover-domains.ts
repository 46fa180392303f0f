import { DomainError } from '../common/errors/domain-error';
import { DomainConnection } from '../directory/domain-connection';
import { ConfigError } from './config.error';
import type { AppConfig, DomainConfig } from './config.types';

/**
 * Fills in what only the DC can say: a domain configured by LDAP_URL alone gets its DNS name and
 * base DN from the rootDSE (defaultNamingContext) of the first DC that answers. It connects through
 * the service's own DomainConnection (ldaps://, or ldap:// upgraded with StartTLS; verified TLS; the
 * same bind and bind throttle). Runs once at boot, before the application is built.
 */
export async function discoverDomainNames(config: AppConfig): Promise<AppConfig> {
  if (config.domains.every((d) => d.name)) return config;
  const domains = await Promise.all(config.domains.map((d) => (d.name ? d : discover(d))));
  const seen = new Set<string>();
  for (const d of domains) {
    if (seen.has(d.name))
      throw new ConfigError('LDAP_URL', `its DC serves ${d.name}, which RBCD_CONFIG configures too`);
    seen.add(d.name);
  }
  return { ...config, domains };
}

/** `DC=contoso,DC=test` → `contoso.test`. */
export function dnsNameOf(baseDn: string): string {
  return baseDn
    .split(',')
    .map((p) => p.trim())
    .filter((p) => /^dc=/i.test(p))
    .map((p) => p.slice(3))
    .join('.')
    .toLowerCase();
}

async function discover(domain: DomainConfig): Promise<DomainConfig> {
  // Named after its first URL until the DC says which domain it serves (logs, error messages).
  const connection = new DomainConnection({ ...domain, name: domain.name || safeHost(domain.urls[0]) });
  let reason: string;
  try {
    const { baseDn } = await connection.info();
    const name = dnsNameOf(baseDn);
    if (name) return { ...domain, name, baseDn: domain.baseDn ?? baseDn };
    reason = 'rootDSE has no defaultNamingContext';
  } catch (error) {
    if (error instanceof DomainError && error.code === 'DIRECTORY_CREDENTIALS_REFUSED')
      throw new ConfigError('LDAP_BIND_DN', error.message.replace(/^Cannot bind to [^:]+: /, ''));
    reason = error instanceof Error ? error.message : String(error);
  } finally {
    await connection.close();
  }
  throw new ConfigError(
    'LDAP_DOMAIN',
    `not set, and no DC of LDAP_URL told it (${reason}); set LDAP_DOMAIN or LDAP_BASE_DN`,
  );
}

function safeHost(url: string | undefined): string {
  try {
    return url ? new URL(url).hostname : 'unknown';
  } catch {
    return 'unknown';
  }
}

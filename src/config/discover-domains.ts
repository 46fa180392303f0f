import { Client } from 'ldapts';
import { ConfigError } from './config.error';
import type { AppConfig, DomainConfig } from './config.types';

/**
 * Fills in what only the DC can say: a domain configured by LDAP_URL alone gets its DNS name and
 * base DN from the rootDSE (defaultNamingContext) of the first DC that answers, over the same
 * verified TLS and bind the service uses. Runs once at boot, before the application is built.
 */
export async function discoverDomainNames(config: AppConfig): Promise<AppConfig> {
  if (config.domains.every((d) => d.name)) return config;
  const domains = await Promise.all(config.domains.map((d) => (d.name ? d : discover(d))));
  const seen = new Set<string>();
  for (const d of domains) {
    if (seen.has(d.name)) throw new ConfigError('LDAP_URL', `its DC serves ${d.name}, which RBCD_CONFIG configures too`);
    seen.add(d.name);
  }
  return { ...config, domains };
}

async function discover(domain: DomainConfig): Promise<DomainConfig> {
  const failures: string[] = [];
  for (const url of domain.urls) {
    const client = new Client({ url, timeout: domain.operationTimeoutMs, connectTimeout: domain.connectTimeoutMs, tlsOptions: { ...(domain.ca ? { ca: domain.ca } : {}), minVersion: 'TLSv1.2' } });
    try {
      if (url.toLowerCase().startsWith('ldap://') && domain.startTls) await client.startTLS({ ...(domain.ca ? { ca: domain.ca } : {}), servername: new URL(url).hostname });
      if (domain.bindDn) await client.bind(domain.bindDn, domain.bindPassword ?? '');
      const { searchEntries } = await client.search('', { scope: 'base', filter: '(objectClass=*)', attributes: ['defaultNamingContext'] });
      const baseDn = String(searchEntries[0]?.defaultNamingContext ?? '');
      const name = baseDn
        .split(',')
        .map((p) => p.trim())
        .filter((p) => /^dc=/i.test(p))
        .map((p) => p.slice(3))
        .join('.')
        .toLowerCase();
      if (name) return { ...domain, name, baseDn: domain.baseDn ?? baseDn };
      failures.push(`${url}: rootDSE has no defaultNamingContext`);
    } catch (error) {
      failures.push(`${url}: ${(error as Error).message}`);
    } finally {
      await client.unbind().catch(() => undefined);
    }
  }
  throw new ConfigError('LDAP_DOMAIN', `not set, and no DC of LDAP_URL told it (${failures.join('; ')}); set LDAP_DOMAIN or LDAP_BASE_DN`);
}

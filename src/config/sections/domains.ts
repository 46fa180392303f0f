// RBCD_CONFIG `domains` and the LDAP_* variables: the domains the service reads and writes.
import { ConfigError } from '../config.error';
import type { DomainConfig } from '../setting-types';
import { type EnvironmentSettings, MAX_POOL_SIZE } from '../schema/environment.schema';
import { parseSetting } from '../schema/first-problem';
import { ldapUrls } from '../schema/setting-values';
import { readCa, secretFrom } from '../sources/secret-files';
import { type Env, optionalBoolean, optionalString } from '../sources/yaml-values';

/** What a domain gets when neither its YAML entry nor the LDAP_* variables say otherwise. */
export const DOMAIN_DEFAULTS = { startTls: true, connectTimeoutMs: 5000, operationTimeoutMs: 15000 } as const;

function readUrls(raw: unknown, name: string): string[] {
  return parseSetting(ldapUrls, raw, name);
}

function domainFromBaseDn(baseDn: string | undefined): string | undefined {
  if (!baseDn) return undefined;
  const parts = baseDn
    .split(',')
    .map((p) => p.trim())
    .filter((p) => /^dc=/i.test(p))
    .map((p) => p.slice(3));
  return parts.length ? parts.join('.').toLowerCase() : undefined;
}

function buildDomain(raw: Record<string, unknown>, label: string): DomainConfig {
  const urls = readUrls(raw.urls, `${label}.urls`);
  const baseDn = optionalString(raw.baseDn, `${label}.baseDn`);
  const name = (optionalString(raw.name, `${label}.name`) ?? domainFromBaseDn(baseDn))?.toLowerCase();
  if (!name) throw new ConfigError(`${label}.name`, 'the domain DNS name is required (or a baseDn to derive it from)');
  const timeout = (key: string, fallback: number) => {
    const v = raw[key];
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || v < 100)
      throw new ConfigError(`${label}.${key}`, 'must be a number of milliseconds >= 100');
    return v;
  };
  return {
    name,
    netbios: optionalString(raw.netbios, `${label}.netbios`)?.toUpperCase(),
    urls,
    baseDn,
    bindDn: optionalString(raw.bindDn, `${label}.bindDn`),
    bindPassword: secretFrom(raw.bindPassword, raw.bindPasswordFile, `${label}.bindPassword`),
    ...readCa(raw.caFile, `${label}.caFile`),
    startTls: optionalBoolean(raw.startTls, `${label}.startTls`) ?? DOMAIN_DEFAULTS.startTls,
    connectTimeoutMs: timeout('connectTimeoutMs', DOMAIN_DEFAULTS.connectTimeoutMs),
    operationTimeoutMs: timeout('operationTimeoutMs', DOMAIN_DEFAULTS.operationTimeoutMs),
    ...readPoolSize(raw.poolSize, `${label}.poolSize`),
  };
}

function readPoolSize(value: unknown, name: string): { poolSize?: number } {
  if (value === undefined) return {};
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_POOL_SIZE) {
    throw new ConfigError(name, `must be a whole number from 1 to ${MAX_POOL_SIZE}`);
  }
  return { poolSize: value };
}

/**
 * The domains: RBCD_CONFIG `domains` and the one domain the LDAP_* variables describe (what they
 * set overrides the YAML entry of the same name); LDAP_POOL_SIZE for those without a poolSize.
 */
export function readDomains(env: Env, settings: EnvironmentSettings, rawDomains: unknown): DomainConfig[] {
  const { domains, labels } = mergeDomains(env, settings, rawDomains);
  return checkDomains(env, domains, labels).map((d) => ({
    ...d,
    poolSize: d.poolSize ?? settings.LDAP_POOL_SIZE,
  }));
}

function mergeDomains(
  env: Env,
  settings: EnvironmentSettings,
  rawDomains: unknown,
): { domains: DomainConfig[]; labels: Map<string, string> } {
  const domains: DomainConfig[] = [];
  const labels = new Map<string, string>();
  if (rawDomains !== undefined) {
    if (!Array.isArray(rawDomains)) throw new ConfigError('RBCD_CONFIG domains', 'must be a list');
    rawDomains.forEach((d, i) => {
      if (!d || typeof d !== 'object') throw new ConfigError(`RBCD_CONFIG domains[${i}]`, 'must be a mapping');
      domains.push(buildDomain(d as Record<string, unknown>, `RBCD_CONFIG domains[${i}]`));
      labels.set(domains[domains.length - 1].name, `RBCD_CONFIG domains[${i}]`);
    });
  }
  if (env.LDAP_URL?.trim()) {
    // The environment describes one domain; what it sets overrides the YAML entry of the same name
    // (and only that: an unset LDAP_TIMEOUT_MS keeps the file's operationTimeoutMs).
    const fromEnv = stripUndefined(buildDomainFromEnv(env, settings)) as Partial<DomainConfig> &
      Pick<DomainConfig, 'name' | 'urls'>;
    const index = domains.findIndex((d) => d.name === fromEnv.name);
    if (index >= 0) domains[index] = { ...domains[index], ...fromEnv };
    else domains.unshift({ ...DOMAIN_DEFAULTS, ...fromEnv });
  } else {
    for (const name of ['LDAP_BASE_DN', 'LDAP_BIND_DN', 'LDAP_BIND_PASSWORD', 'LDAP_BIND_PASSWORD_FILE']) {
      if (env[name] && domains.length === 0) throw new ConfigError('LDAP_URL', `is required when ${name} is set`);
    }
  }
  return { domains, labels };
}

/** Each domain once; a bind DN needs a password, and never in clear over ldap:// without StartTLS. */
function checkDomains(env: Env, domains: DomainConfig[], labels: Map<string, string>): DomainConfig[] {
  const seen = new Set<string>();
  for (const d of domains) {
    if (seen.has(d.name)) throw new ConfigError('RBCD_CONFIG domains', `domain ${d.name} is configured twice`);
    seen.add(d.name);
    const fromEnv = d === domains[0] && Boolean(env.LDAP_URL?.trim());
    if (d.bindDn && d.bindPassword === undefined) {
      throw new ConfigError(
        fromEnv ? 'LDAP_BIND_PASSWORD' : `domain ${d.name} bindPassword`,
        'a bind DN needs a password (or a password file)',
      );
    }
    // A simple bind on ldap:// without StartTLS sends the password in clear: never.
    const cleartext =
      d.bindDn && !d.startTls ? d.urls.find((url) => url.toLowerCase().startsWith('ldap://')) : undefined;
    if (cleartext) {
      throw new ConfigError(
        fromEnv ? 'LDAP_STARTTLS' : `${labels.get(d.name) ?? `domain ${d.name}`}.startTls`,
        `is false while ${cleartext} is ldap:// and a bind DN is set: the service account's password would cross the network in clear; use ldaps:// or leave StartTLS on`,
      );
    }
  }
  return domains;
}

/** The domain the LDAP_* variables describe; what they leave unset is undefined. */
function buildDomainFromEnv(
  env: Env,
  settings: EnvironmentSettings,
): Partial<DomainConfig> & Pick<DomainConfig, 'name' | 'urls'> {
  const baseDn = env.LDAP_BASE_DN?.trim() || undefined;
  // Neither given: the name is read from the DC's rootDSE at boot (discoverDomainNames).
  const name = env.LDAP_DOMAIN?.trim().toLowerCase() || domainFromBaseDn(baseDn) || '';
  return {
    name,
    netbios: env.LDAP_NETBIOS?.trim().toUpperCase() || undefined,
    urls: readUrls(env.LDAP_URL, 'LDAP_URL'),
    baseDn,
    bindDn: env.LDAP_BIND_DN?.trim() || undefined,
    bindPassword: secretFrom(
      env.LDAP_BIND_PASSWORD,
      env.LDAP_BIND_PASSWORD_FILE,
      env.LDAP_BIND_PASSWORD_FILE ? 'LDAP_BIND_PASSWORD_FILE' : 'LDAP_BIND_PASSWORD',
    ),
    ...readCa(env.LDAP_CA_FILE, 'LDAP_CA_FILE'),
    startTls: settings.LDAP_STARTTLS,
    connectTimeoutMs: settings.LDAP_CONNECT_TIMEOUT_MS,
    operationTimeoutMs: settings.LDAP_TIMEOUT_MS,
  };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

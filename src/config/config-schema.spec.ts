import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './config.error';
import type { AppConfig } from './config.types';
import { loadConfig } from './load-config';
import { environmentSchema } from './schema/environment.schema';
import { settingName } from './schema/first-problem';
import { DOMAIN_DEFAULTS } from './sections/domains';

const dir = mkdtempSync(join(tmpdir(), 'rbcd-schema-'));
let files = 0;
function file(content: string): string {
  const path = join(dir, `f${++files}`);
  writeFileSync(path, content);
  return path;
}
const BASE = { DATABASE_URL: 'sqlite::memory:' };

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig({ ...BASE, ...env });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('loadConfig accepted it');
}

describe('the configuration schema', () => {
  it('every environment variable has its default in the schema: an empty environment parses', () => {
    const settings = environmentSchema.parse({});
    expect(settings).toMatchObject({ PORT: 3000, HOST: '0.0.0.0', LOG_LEVEL: 'info', RBCD_WORKER: true });
    expect(settings.RBCD_MIGRATE_ON_START).toBeUndefined();
    const config: AppConfig = loadConfig({});
    expect(config.jobs.pollIntervalMs).toBe(settings.RBCD_JOB_POLL_MS);
  });

  it('a domain from LDAP_* and one from the YAML file get the same defaults, written once', () => {
    const yaml = file('domains: [{name: b.test, urls: [ldaps://b]}]');
    const config = loadConfig({ ...BASE, LDAP_URL: 'ldaps://a', LDAP_DOMAIN: 'a.test', RBCD_CONFIG: yaml });
    const [fromEnv, fromYaml] = config.domains;
    expect(fromEnv).toMatchObject({ name: 'a.test', ...DOMAIN_DEFAULTS, poolSize: 4 });
    expect(fromYaml).toMatchObject({ name: 'b.test', ...DOMAIN_DEFAULTS, poolSize: 4 });
  });

  it('YAML booleans take the same words as the environment (the one parser)', () => {
    const domains = (startTls: string) =>
      loadConfig({ ...BASE, RBCD_CONFIG: file(`domains: [{name: a.test, urls: [ldap://a], startTls: "${startTls}"}]`) })
        .domains[0].startTls;
    expect(domains('off')).toBe(false);
    expect(domains('Yes')).toBe(true);
    expect(
      configError({ RBCD_CONFIG: file('domains: [{name: a.test, urls: [ldap://a], startTls: "0n"}]') }).variable,
    ).toBe('RBCD_CONFIG domains[0].startTls');
  });

  it('a bad value is refused even where its feature is off (positive control: unset is fine)', () => {
    expect(configError({ LDAP_STARTTLS: 'maybe' }).variable).toBe('LDAP_STARTTLS');
    expect(configError({ OIDC_JWKS_CACHE_MS: 'ten' }).variable).toBe('OIDC_JWKS_CACHE_MS');
    expect(loadConfig(BASE).oidc).toBeUndefined();
  });

  it('names nested YAML keys with dots and list positions', () => {
    expect(settingName(['chat', 'slack', 'users', 'U1', 'roles', 0])).toBe('chat.slack.users.U1.roles[0]');
    expect(settingName([0, 'url'], 'webhooks')).toBe('webhooks[0].url');
    expect(settingName(['PORT'])).toBe('PORT');
  });

  describe('secrets stay out of messages', () => {
    const SECRET = 'Sup3r-Short';

    it('a too short admin key read from a file', () => {
      const error = configError({ RBCD_ADMIN_API_KEY_FILE: file(`${SECRET}\n`) });
      expect(error.variable).toBe('RBCD_ADMIN_API_KEY');
      expect(error.message).not.toContain(SECRET);
    });

    it('a Teams webhook URL file that holds no URL', () => {
      const error = configError({
        RBCD_PUBLIC_URL: 'https://rbcd.example',
        TEAMS_WEBHOOK_URL_FILE: file(`not a url ${SECRET}`),
      });
      expect(error.variable).toBe('chat.teams.webhookUrl');
      expect(error.message).not.toContain(SECRET);
    });

    it('a bind password that is a number in YAML', () => {
      const error = configError({
        RBCD_CONFIG: file('domains: [{name: a.test, urls: [ldaps://a], bindDn: CN=x, bindPassword: 424242}]'),
      });
      expect(error.variable).toBe('RBCD_CONFIG domains[0].bindPassword');
      expect(error.message).not.toContain('424242');
    });
  });
});

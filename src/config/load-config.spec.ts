import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './config.error';
import { loadConfig } from './load-config';

const dir = mkdtempSync(join(tmpdir(), 'rbcd-config-'));
let files = 0;
function file(content: string): string {
  const path = join(dir, `f${++files}`);
  writeFileSync(path, content);
  return path;
}
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const BASE = { DATABASE_URL: 'sqlite::memory:' };

/** The ConfigError loadConfig throws for this environment (fails the test when it does not throw). */
function configError(env: Record<string, string | undefined>): ConfigError {
  let caught: unknown;
  try {
    loadConfig({ ...BASE, ...env });
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  return caught as ConfigError;
}

describe('loadConfig', () => {
  it('has working defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      host: '0.0.0.0',
      database: { type: 'sqlite', path: './data/rbcd.sqlite' },
      domains: [],
      logLevel: 'info',
    });
    expect(config.policy.defaults).toEqual({
      requiredApprovals: 1,
      maxDuration: 'P30D',
      defaultDuration: undefined,
      requireTicket: false,
    });
    expect(config.adminApiKey).toBeUndefined();
    expect(config.oidc).toBeUndefined();
  });

  it('reads one domain from LDAP_* with failover URLs, a password file and the CA', () => {
    const config = loadConfig({
      ...BASE,
      LDAP_URL: 'ldaps://dc1.contoso.test:636, ldaps://dc2.contoso.test:636',
      LDAP_BASE_DN: 'DC=contoso,DC=test',
      LDAP_BIND_DN: 'CN=svc,DC=contoso,DC=test',
      LDAP_BIND_PASSWORD_FILE: file('pw-from-file\n'),
      LDAP_CA_FILE: file(PEM),
      LDAP_CONNECT_TIMEOUT_MS: '700',
    });
    expect(config.domains).toEqual([
      expect.objectContaining({
        name: 'contoso.test',
        urls: ['ldaps://dc1.contoso.test:636', 'ldaps://dc2.contoso.test:636'],
        baseDn: 'DC=contoso,DC=test',
        bindPassword: 'pw-from-file',
        ca: PEM,
        startTls: true,
        connectTimeoutMs: 700,
        operationTimeoutMs: 15000,
      }),
    ]);
  });

  it('reads several domains from RBCD_CONFIG; the environment overrides only what it sets', () => {
    const yaml = file(`
domains:
  - name: Contoso.Test
    urls: [ldaps://dc1.contoso.test:636]
    bindDn: CN=svc,DC=contoso,DC=test
    bindPasswordFile: ${file('yaml-secret')}
    connectTimeoutMs: 1500
    operationTimeoutMs: 2500
  - baseDn: DC=fabrikam,DC=test
    urls: ldaps://dc2.fabrikam.test
    startTls: false
`);
    const config = loadConfig({
      ...BASE,
      RBCD_CONFIG: yaml,
      LDAP_URL: 'ldaps://other.contoso.test',
      LDAP_DOMAIN: 'contoso.test',
    });
    expect(
      config.domains.map((d) => [d.name, d.urls, d.bindPassword, d.connectTimeoutMs, d.operationTimeoutMs, d.startTls]),
    ).toEqual([
      ['contoso.test', ['ldaps://other.contoso.test'], 'yaml-secret', 1500, 2500, true],
      ['fabrikam.test', ['ldaps://dc2.fabrikam.test'], undefined, 5000, 15000, false],
    ]);
  });

  it('reads policy, webhooks, chat users and static API keys', () => {
    const yaml = file(`
policy:
  defaults: {requiredApprovals: 2, maxDuration: PT12H, requireTicket: true}
  rules:
    - match: {targetDnSuffix: "OU=Tier0,DC=contoso,DC=test"}
      deny: Tier 0 assets never accept delegation
webhooks:
  - url: https://tickets.example.com/hook
    secretFile: ${file('hook-secret\n')}
    events: [request.created]
chat:
  slack:
    signingSecret: slack-secret
    users: {U1: [requester, approver]}
apiKeys:
  - {name: servicenow, roles: [requester], sha256: "${'A'.repeat(64)}"}
`);
    const config = loadConfig({ ...BASE, RBCD_CONFIG: yaml });
    expect(config.policy).toEqual({
      defaults: { requiredApprovals: 2, maxDuration: 'PT12H', defaultDuration: undefined, requireTicket: true },
      rules: [
        expect.objectContaining({
          match: { targetDnSuffix: 'OU=Tier0,DC=contoso,DC=test', domain: undefined },
          deny: 'Tier 0 assets never accept delegation',
        }),
      ],
      owners: {},
      tier0Groups: [],
      allowUserCreatedComputers: false,
    });
    expect(config.webhooks).toEqual([
      { url: 'https://tickets.example.com/hook', secret: 'hook-secret', events: ['request.created'] },
    ]);
    // The old form: an unlinked chat user (no person), who can only read.
    expect(config.chat.slack).toEqual({
      signingSecret: 'slack-secret',
      notifyUrl: undefined,
      users: { U1: { roles: ['requester', 'approver'] } },
    });
    expect(config.apiKeys).toEqual([
      { name: 'servicenow', roles: ['requester'], sha256: 'a'.repeat(64), mayActOnBehalf: false },
    ]);
  });

  describe('bad values: a ConfigError that names the variable', () => {
    it.each<[string, Record<string, string>, string]>([
      ['PORT', { PORT: 'eighty' }, 'PORT'],
      ['PORT range', { PORT: '70000' }, 'PORT'],
      ['DATABASE_URL scheme', { DATABASE_URL: 'mysql://db/rbcd' }, 'DATABASE_URL'],
      ['DATABASE_URL empty sqlite path', { DATABASE_URL: 'sqlite:' }, 'DATABASE_URL'],
      ['LDAP_URL scheme', { LDAP_URL: 'https://dc1', LDAP_DOMAIN: 'contoso.test' }, 'LDAP_URL'],
      ['LDAP_URL path', { LDAP_URL: 'ldaps://dc1/DC=contoso', LDAP_DOMAIN: 'contoso.test' }, 'LDAP_URL'],
      ['LDAP_URL empty list', { LDAP_URL: ' , ', LDAP_DOMAIN: 'contoso.test' }, 'LDAP_URL'],
      ['LDAP_BIND_DN without LDAP_URL', { LDAP_BIND_DN: 'CN=svc' }, 'LDAP_URL'],
      [
        'bind DN without password',
        { LDAP_URL: 'ldaps://dc1', LDAP_DOMAIN: 'contoso.test', LDAP_BIND_DN: 'CN=svc' },
        'LDAP_BIND_PASSWORD',
      ],
      [
        'unreadable password file',
        {
          LDAP_URL: 'ldaps://dc1',
          LDAP_DOMAIN: 'c.test',
          LDAP_BIND_DN: 'CN=svc',
          LDAP_BIND_PASSWORD_FILE: '/nonexistent/pw',
        },
        'LDAP_BIND_PASSWORD_FILE',
      ],
      [
        'CA file without a certificate',
        { LDAP_URL: 'ldaps://dc1', LDAP_DOMAIN: 'c.test', LDAP_CA_FILE: '/etc/hostname' },
        'LDAP_CA_FILE',
      ],
      ['LDAP_TIMEOUT_MS', { LDAP_URL: 'ldaps://dc1', LDAP_DOMAIN: 'c.test', LDAP_TIMEOUT_MS: '5' }, 'LDAP_TIMEOUT_MS'],
      ['LDAP_STARTTLS', { LDAP_URL: 'ldap://dc1', LDAP_DOMAIN: 'c.test', LDAP_STARTTLS: 'maybe' }, 'LDAP_STARTTLS'],
      [
        'cleartext bind: ldap:// with StartTLS off and a bind DN',
        {
          LDAP_URL: 'ldap://dc1',
          LDAP_DOMAIN: 'c.test',
          LDAP_STARTTLS: 'false',
          LDAP_BIND_DN: 'CN=svc',
          LDAP_BIND_PASSWORD: 'pw',
        },
        'LDAP_STARTTLS',
      ],
      ['RBCD_JOB_MAX_ATTEMPTS', { RBCD_JOB_MAX_ATTEMPTS: '0' }, 'RBCD_JOB_MAX_ATTEMPTS'],
      ['LOG_LEVEL', { LOG_LEVEL: 'verbose' }, 'LOG_LEVEL'],
      ['OIDC without audience', { OIDC_ISSUER: 'https://login.example.com' }, 'OIDC_AUDIENCE'],
      [
        'OIDC_USER_CLAIM',
        { OIDC_ISSUER: 'https://login.example.com', OIDC_AUDIENCE: 'a', OIDC_USER_CLAIM: 'sub' },
        'OIDC_USER_CLAIM',
      ],
      [
        'OIDC_USERS_EXTERNAL without a claim',
        { OIDC_ISSUER: 'https://login.example.com', OIDC_AUDIENCE: 'a', OIDC_USERS_EXTERNAL: 'true' },
        'OIDC_USERS_EXTERNAL',
      ],
      [
        'OIDC_USERS_EXTERNAL not a boolean',
        {
          OIDC_ISSUER: 'https://login.example.com',
          OIDC_AUDIENCE: 'a',
          OIDC_USER_CLAIM: 'upn',
          OIDC_USERS_EXTERNAL: 'maybe',
        },
        'OIDC_USERS_EXTERNAL',
      ],
      ['RBCD_GROUP_CACHE_MS', { RBCD_GROUP_CACHE_MS: '-1' }, 'RBCD_GROUP_CACHE_MS'],
      ['RBCD_CONFIG missing file', { RBCD_CONFIG: '/nonexistent/rbcd.yaml' }, 'RBCD_CONFIG'],
    ])('%s', (_label, env, variable) => {
      const error = configError(env);
      expect(error.variable).toBe(variable);
      expect(error.message).toContain(variable);
    });

    it.each<[string, string, string]>([
      ['not YAML', 'domains: [ {', 'RBCD_CONFIG'],
      ['not a mapping', '- a\n- b\n', 'RBCD_CONFIG'],
      ['domains not a list', 'domains: {a: 1}', 'RBCD_CONFIG domains'],
      ['domain without URL', 'domains: [{name: contoso.test}]', 'RBCD_CONFIG domains[0].urls'],
      ['domain without name', 'domains: [{urls: [ldaps://dc1]}]', 'RBCD_CONFIG domains[0].name'],
      [
        'same domain twice',
        'domains: [{name: a.test, urls: [ldaps://a]}, {name: A.TEST, urls: [ldaps://b]}]',
        'RBCD_CONFIG domains',
      ],
      [
        'timeout not a number',
        'domains: [{name: a.test, urls: [ldaps://a], connectTimeoutMs: soon}]',
        'RBCD_CONFIG domains[0].connectTimeoutMs',
      ],
      [
        'startTls not a boolean',
        'domains: [{name: a.test, urls: [ldap://a], startTls: perhaps}]',
        'RBCD_CONFIG domains[0].startTls',
      ],
      [
        'cleartext bind in a YAML domain',
        'domains: [{name: a.test, urls: [ldaps://a]}, {name: b.test, urls: [ldaps://b1, ldap://b2], startTls: false, bindDn: CN=svc, bindPassword: pw}]',
        'RBCD_CONFIG domains[1].startTls',
      ],
      [
        'bad duration',
        'policy: {rules: [{match: {domain: a.test}, maxDuration: 12 hours}]}',
        'policy.rules[0].maxDuration',
      ],
      ['rule without match', 'policy: {rules: [{deny: no}]}', 'policy.rules[0].match'],
      ['approvals out of range', 'policy: {defaults: {requiredApprovals: 0}}', 'policy.defaults.requiredApprovals'],
      ['webhook URL', 'webhooks: [{url: ftp://x}]', 'webhooks[0].url'],
      ['webhook event', 'webhooks: [{url: https://x, events: [request.exploded]}]', 'webhooks[0].events'],
      ['chat role', 'chat: {slack: {users: {U1: [king]}}}', 'chat.slack.users.U1'],
      ['chat user without user', 'chat: {slack: {users: {U1: {roles: [approver]}}}}', 'chat.slack.users.U1.user'],
      [
        'chat user with a bad role',
        'chat: {slack: {users: {U1: {user: alice@contoso.test, roles: [king]}}}}',
        'chat.slack.users.U1.roles',
      ],
      [
        'chat user with an unknown key',
        'chat: {slack: {users: {U1: {user: a, role: [approver]}}}}',
        'chat.slack.users.U1',
      ],
      [
        'a person key acting on behalf',
        `apiKeys: [{name: k, roles: [requester], owner: alice, mayActOnBehalf: true, sha256: "${'a'.repeat(64)}"}]`,
        'apiKeys[0].mayActOnBehalf',
      ],
      ['roles.fromGroups role', 'roles: {fromGroups: {king: ["CN=X,DC=a"]}}', 'roles.fromGroups.king'],
      ['roles.fromGroups not DNs', 'roles: {fromGroups: {approver: [RBCD Approvers]}}', 'roles.fromGroups.approver'],
      ['approvers shape', 'policy: {rules: [{match: {domain: a.test}, approvers: 2}]}', 'policy.rules[0].approvers'],
      [
        'approvers count',
        'policy: {rules: [{match: {domain: a.test}, approvers: {owners: -1}}]}',
        'policy.rules[0].approvers.owners',
      ],
      [
        'approvers unknown key',
        'policy: {rules: [{match: {domain: a.test}, approvers: {owner: 1}}]}',
        'policy.rules[0].approvers',
      ],
      [
        'approvers none',
        'policy: {rules: [{match: {domain: a.test}, approvers: {owners: 0, others: 0}}]}',
        'policy.rules[0].approvers',
      ],
      [
        'approvers and requiredApprovals',
        'policy: {rules: [{match: {domain: a.test}, requiredApprovals: 2, approvers: {owners: 1}}]}',
        'policy.rules[0].requiredApprovals',
      ],
      [
        'noOwner value',
        'policy: {rules: [{match: {domain: a.test}, approvers: {owners: 1}, noOwner: allow}]}',
        'policy.rules[0].noOwner',
      ],
      [
        'noOwner without approvers',
        'policy: {rules: [{match: {domain: a.test}, noOwner: deny}]}',
        'policy.rules[0].noOwner',
      ],
      [
        'breakGlass without maxDuration',
        'policy: {rules: [{match: {domain: a.test}, breakGlass: {allowed: true}}]}',
        'policy.rules[0].breakGlass.maxDuration',
      ],
      [
        'breakGlass allowed not a boolean',
        'policy: {rules: [{match: {domain: a.test}, breakGlass: {allowed: yes please, maxDuration: PT4H}}]}',
        'policy.rules[0].breakGlass.allowed',
      ],
      [
        'breakGlass reviewWithin',
        'policy: {rules: [{match: {domain: a.test}, breakGlass: {allowed: true, maxDuration: PT4H, reviewWithin: a day}}]}',
        'policy.rules[0].breakGlass.reviewWithin',
      ],
      ['owner group not a DN', 'policy: {owners: {"OU=Web,DC=a": Web Owners}}', 'policy.owners.OU=Web,DC=a'],
      ['owner OU not a DN', 'policy: {owners: {Web: "CN=Web Owners,DC=a"}}', 'policy.owners'],
      ['API key hash', 'apiKeys: [{name: k, roles: [admin], sha256: abc}]', 'apiKeys[0].sha256'],
      ['API key role', `apiKeys: [{name: k, roles: [king], sha256: "${'a'.repeat(64)}"}]`, 'apiKeys[0].roles'],
    ])('RBCD_CONFIG: %s', (_label, yaml, variable) => {
      const error = configError({ RBCD_CONFIG: file(yaml) });
      expect(error.variable).toBe(variable);
      expect(error.message).toContain(variable);
    });
  });

  describe('secrets never appear in messages', () => {
    const SECRET = 'Sup3r-Secret-Value-0042';

    it.each<[string, Record<string, string>]>([
      ['a short admin key', { RBCD_ADMIN_API_KEY: 'short-Secret' }],
      ['credentials inside an LDAP URL', { LDAP_URL: `ldaps://svc:${SECRET}@dc1/`, LDAP_DOMAIN: 'c.test' }],
      ['a query string in an LDAP URL', { LDAP_URL: `ldaps://dc1:636/?password=${SECRET}`, LDAP_DOMAIN: 'c.test' }],
      ['a PostgreSQL URL that does not parse', { DATABASE_URL: `postgres://rbcd:${SECRET}@db:99999999/rbcd` }],
      ['a MySQL URL', { DATABASE_URL: `mysql://root:${SECRET}@db/rbcd` }],
    ])('%s', (_label, env) => {
      const error = configError(env);
      expect(error.message).not.toContain(SECRET);
      expect(error.message).not.toContain('short-Secret');
    });

    it.each<[string, string]>([
      [
        'a password that is not a string',
        `domains: [{name: a.test, urls: [ldaps://a], bindDn: x, bindPassword: [${SECRET}]}]`,
      ],
      [
        'YAML that breaks on the secret line',
        `domains:\n  - name: a.test\n    bindPassword: "${SECRET}\n    urls: [ldaps://a]\n`,
      ],
      ['a webhook URL that carries a token', `webhooks: [{url: "hooks.example.com/services/${SECRET}"}]`],
      ['a Slack secret next to a bad user', `chat: {slack: {signingSecret: ${SECRET}, users: {U1: [king]}}}`],
    ])('RBCD_CONFIG: %s', (_label, yaml) => {
      const error = configError({ RBCD_CONFIG: file(yaml) });
      expect(error.message).not.toContain(SECRET);
    });
  });
});

describe('persons and owners (issue 17)', () => {
  it('reads chat users linked to persons, person keys, owner rules, OU owner groups and roles from groups', () => {
    const yaml = file(`
chat:
  slack:
    users:
      U1: {user: alice@contoso.test, roles: [requester]}
      U2: {user: "CONTOSO\\\\bob"}
      U3: [approver]
apiKeys:
  - {name: alice-laptop, roles: [requester], owner: alice@contoso.test, sha256: "${'b'.repeat(64)}"}
policy:
  owners: {"OU=Web,OU=Servers,DC=contoso,DC=test": "CN=Web Owners,CN=Users,DC=contoso,DC=test"}
  rules:
    - match: {targetDnSuffix: "OU=Servers,DC=contoso,DC=test"}
      approvers: {owners: 1, others: 1}
      noOwner: approvers
    - match: {domain: fabrikam.test}
      approvers: {owners: 1}
roles:
  fromGroups: {approver: ["CN=RBCD Approvers,CN=Users,DC=contoso,DC=test"]}
`);
    const config = loadConfig({
      ...BASE,
      RBCD_CONFIG: yaml,
      OIDC_ISSUER: 'https://idp',
      OIDC_AUDIENCE: 'rbcd',
      OIDC_USER_CLAIM: 'upn',
      OIDC_USERS_EXTERNAL: 'true',
      RBCD_GROUP_CACHE_MS: '5000',
    });
    expect(config.chat.slack?.users).toEqual({
      U1: { user: 'alice@contoso.test', roles: ['requester'] },
      U2: { user: 'CONTOSO\\bob', roles: [] },
      U3: { roles: ['approver'] },
    });
    expect(config.apiKeys[0]).toMatchObject({
      name: 'alice-laptop',
      owner: 'alice@contoso.test',
      mayActOnBehalf: false,
    });
    expect(config.policy.owners).toEqual({
      'OU=Web,OU=Servers,DC=contoso,DC=test': 'CN=Web Owners,CN=Users,DC=contoso,DC=test',
    });
    expect(config.policy.rules[0]).toMatchObject({ approvers: { owners: 1, others: 1 }, noOwner: 'approvers' });
    expect(config.policy.rules[1]).toMatchObject({ approvers: { owners: 1, others: 0 }, noOwner: 'deny' });
    expect(config.roles).toEqual({
      fromGroups: { approver: ['CN=RBCD Approvers,CN=Users,DC=contoso,DC=test'] },
      groupCacheMs: 5000,
    });
    expect(config.oidc).toMatchObject({ userClaim: 'upn', usersExternal: true });
  });

  it('defaults: no claim (the person is the token subject), no groups, a one-minute group cache', () => {
    const config = loadConfig({ ...BASE, OIDC_ISSUER: 'https://idp', OIDC_AUDIENCE: 'rbcd' });
    expect(config.oidc?.userClaim).toBeUndefined();
    expect(config.oidc?.usersExternal).toBe(false);
    expect(config.roles).toEqual({ fromGroups: {}, groupCacheMs: 60_000 });
  });
});

describe('LDAP_URL alone', () => {
  it('leaves the domain name to be read from the DC at boot', () => {
    const config = loadConfig({ LDAP_URL: 'ldaps://dc1.contoso.test' });
    expect(config.domains).toEqual([expect.objectContaining({ name: '', urls: ['ldaps://dc1.contoso.test'] })]);
  });

  it('reads the tuning variables, with defaults, through the same validation', () => {
    expect(loadConfig(BASE)).toMatchObject({
      worker: true,
      limits: { maxTargets: 5000, mutationsPerMinute: 120 },
      webhookTimeoutMs: 10_000,
      driftRepair: false,
    });
    const tuned = loadConfig({
      ...BASE,
      RBCD_WORKER: 'off',
      RBCD_MAX_TARGETS: '40',
      RBCD_RATE_LIMIT_PER_MINUTE: '0',
      RBCD_WEBHOOK_TIMEOUT_MS: '2500',
      RBCD_DRIFT_REPAIR: 'true',
      OIDC_ISSUER: 'https://idp.example',
      OIDC_AUDIENCE: 'rbcd',
      OIDC_JWKS_CACHE_MS: '60000',
      OIDC_JWKS_COOLDOWN_MS: '0',
    });
    expect(tuned).toMatchObject({
      worker: false,
      limits: { maxTargets: 40, mutationsPerMinute: 0 },
      webhookTimeoutMs: 2500,
      driftRepair: true,
    });
    expect(tuned.oidc).toMatchObject({
      jwksUrl: 'https://idp.example/.well-known/jwks.json',
      jwksCacheMaxAgeMs: 60_000,
      jwksCooldownMs: 0,
    });
    expect(loadConfig({ ...BASE, RBCD_WORKER: 'on' }).worker).toBe(true);
  });

  it('reads every boolean setting with one parser (true/1/yes/on, false/0/no/off; unset keeps the default)', () => {
    expect(loadConfig({ ...BASE, RBCD_MIGRATE_ON_START: 'off' }).migrateOnStart).toBe(false);
    expect(loadConfig({ ...BASE, RBCD_MIGRATE_ON_START: 'Yes' }).migrateOnStart).toBe(true);
    expect(loadConfig({ ...BASE, RBCD_WORKER: 'false' }).worker).toBe(false);
    expect(loadConfig({ ...BASE, RBCD_DRIFT_REPAIR: '1' }).driftRepair).toBe(true);
    expect(loadConfig({ ...BASE, DATABASE_URL: 'sqlite::memory:' }).migrateOnStart).toBe(true);
  });

  it.each([
    ['RBCD_WORKER', 'sometimes'],
    ['RBCD_MAX_TARGETS', '0'],
    ['RBCD_RATE_LIMIT_PER_MINUTE', '-1'],
    ['RBCD_RATE_LIMIT_PER_MINUTE', 'lots'],
    ['RBCD_WEBHOOK_TIMEOUT_MS', '1.5'],
    ['RBCD_DRIFT_REPAIR', 'maybe'],
    ['RBCD_MIGRATE_ON_START', 'sometimes'],
  ])('refuses %s=%s at boot, naming the variable', (variable, value) => {
    expect(configError({ [variable]: value }).variable).toBe(variable);
  });

  it('reads RBCD_HTTP_PROCESSES: one by default, several on PostgreSQL only', () => {
    expect(loadConfig(BASE).httpProcesses).toBe(1);
    const pg = { DATABASE_URL: 'postgres://rbcd@db.example/rbcd' };
    expect(loadConfig({ ...pg, RBCD_HTTP_PROCESSES: '4' }).httpProcesses).toBe(4);
    // SQLite: one writer per file; the copies would fight over it.
    const sqlite = configError({ RBCD_HTTP_PROCESSES: '2' });
    expect(sqlite.variable).toBe('RBCD_HTTP_PROCESSES');
    expect(sqlite.message).toContain('need PostgreSQL');
    expect(loadConfig({ ...BASE, RBCD_HTTP_PROCESSES: '1' }).httpProcesses).toBe(1);
    for (const value of ['0', '65', 'two', '1.5'])
      expect(configError({ ...pg, RBCD_HTTP_PROCESSES: value }).variable).toBe('RBCD_HTTP_PROCESSES');
  });

  it('reads the GraphQL limits and LDAP_POOL_SIZE, with defaults', () => {
    const defaults = loadConfig({ ...BASE, LDAP_URL: 'ldaps://dc1.contoso.test' });
    expect(defaults.graphql).toEqual({ maxDepth: 15, maxAliases: 100, maxFields: 1000, maxDirectoryLookups: 200 });
    expect(defaults.domains.map((d) => d.poolSize)).toEqual([4]);
    const tuned = loadConfig({
      ...BASE,
      RBCD_GRAPHQL_MAX_DEPTH: '6',
      RBCD_GRAPHQL_MAX_ALIASES: '0',
      RBCD_GRAPHQL_MAX_FIELDS: '50',
      RBCD_GRAPHQL_MAX_LOOKUPS: '20',
      LDAP_URL: 'ldaps://dc1.contoso.test',
      LDAP_POOL_SIZE: '1',
    });
    expect(tuned.graphql).toEqual({ maxDepth: 6, maxAliases: 0, maxFields: 50, maxDirectoryLookups: 20 });
    expect(tuned.domains.map((d) => d.poolSize)).toEqual([1]);
  });

  it.each([
    ['RBCD_GRAPHQL_MAX_DEPTH', '0'],
    ['RBCD_GRAPHQL_MAX_ALIASES', '-1'],
    ['RBCD_GRAPHQL_MAX_FIELDS', 'many'],
    ['RBCD_GRAPHQL_MAX_LOOKUPS', '0'],
    ['LDAP_POOL_SIZE', '0'],
    ['LDAP_POOL_SIZE', '33'],
    ['LDAP_POOL_SIZE', '2.5'],
    ['RBCD_WRITE_BATCH', '1'],
    ['RBCD_WRITE_BATCH', '1001'],
    ['RBCD_WRITE_BATCH', 'fifty'],
  ])('refuses %s=%s at boot, naming the variable', (variable, value) => {
    expect(configError({ [variable]: value }).variable).toBe(variable);
  });

  it('reads RBCD_WRITE_BATCH, 50 by default', () => {
    expect(loadConfig(BASE).jobs.writeBatch).toBe(50);
    expect(loadConfig({ ...BASE, RBCD_WRITE_BATCH: '2' }).jobs.writeBatch).toBe(2);
    expect(loadConfig({ ...BASE, RBCD_WRITE_BATCH: '1000' }).jobs.writeBatch).toBe(1000);
  });

  it('refuses a bad OIDC_JWKS_CACHE_MS once OIDC is on', () => {
    expect(
      configError({ OIDC_ISSUER: 'https://idp.example', OIDC_AUDIENCE: 'rbcd', OIDC_JWKS_CACHE_MS: 'ten' }).variable,
    ).toBe('OIDC_JWKS_CACHE_MS');
  });

  it('reads RBCD_TRUST_PROXY as false, true, a hop count or a list of addresses and ranges', () => {
    expect(loadConfig(BASE).trustProxy).toBe(false);
    expect(loadConfig({ ...BASE, RBCD_TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ ...BASE, RBCD_TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ ...BASE, RBCD_TRUST_PROXY: '10.0.0.0/8, 127.0.0.1,::1, fd00::/8' }).trustProxy).toEqual([
      '10.0.0.0/8',
      '127.0.0.1',
      '::1',
      'fd00::/8',
    ]);
    for (const bad of ['proxy.example', '10.0.0.0/33', '10.0.0.1/8/9', 'yes'])
      expect(configError({ RBCD_TRUST_PROXY: bad }).variable).toBe('RBCD_TRUST_PROXY');
  });

  it('reads the test-only RBCD_TEST_CRASH_AT: absent by default, validated, refused under NODE_ENV=production', () => {
    expect(loadConfig(BASE).testCrashAt).toBeUndefined();
    expect(loadConfig({ ...BASE, RBCD_TEST_CRASH_AT: 'grant:after-write' }).testCrashAt).toBe('grant:after-write');
    for (const bad of ['grant', 'grant:later', 'delete:after-write', 'rollback:after-write:2'])
      expect(configError({ RBCD_TEST_CRASH_AT: bad }).variable).toBe('RBCD_TEST_CRASH_AT');
    expect(configError({ RBCD_TEST_CRASH_AT: 'grant:after-write', NODE_ENV: 'production' }).message).toMatch(
      /test hook/,
    );
  });
});

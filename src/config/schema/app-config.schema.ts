// The whole configuration as one zod schema: the environment (typed by environment.schema.ts) and
// the YAML document (RBCD_CONFIG), each section read by its reader in sections/. AppConfig is what
// this schema outputs (config.types.ts).
import { z } from 'zod';
import { readAdminKey, readOidc, readRoles, readSlack, readStaticApiKeys } from '../sections/access';
import { readAuditSinks } from '../sections/audit-sinks';
import { readConsole, readTeams } from '../sections/console';
import { DEFAULT_DATABASE_URL, readDatabase } from '../sections/database';
import { readDomains } from '../sections/domains';
import { readPolicy } from '../sections/policy';
import { readNotifications } from '../sections/time-policy';
import { readWebhooks } from '../sections/webhooks';
import { ConfigError } from '../config.error';
import type { Env } from '../sources/yaml-values';
import { environmentSchema, type EnvironmentSettings } from './environment.schema';

/** What the configuration is read from: the environment's strings and the parsed YAML mapping. */
export interface ConfigSources {
  env: Env;
  yaml: Record<string, unknown>;
}

const sourcesSchema = z.object({
  env: z.record(z.string().optional()),
  yaml: z.record(z.unknown()),
});

/** Sources → AppConfig. A problem in an environment variable is an issue at ['settings', NAME]. */
export const appConfigSchema = sourcesSchema
  .transform((sources) => ({ ...sources, settings: parseEnvironment(sources.env) }))
  .transform(({ env, yaml, settings }) => assemble(env, yaml, settings));

function parseEnvironment(env: Env): EnvironmentSettings {
  const result = environmentSchema.safeParse(env);
  if (result.success) return result.data;
  const [first] = result.error.issues;
  throw new ConfigError(String(first.path[0]), first.message);
}

/** The keys whose value may be undefined become optional keys, left out when undefined. */
type OptionalWhereUndefined<T> = { [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined> } & {
  [K in keyof T as undefined extends T[K] ? never : K]: T[K];
};

function withoutUndefined<T extends object>(value: T): OptionalWhereUndefined<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as OptionalWhereUndefined<T>;
}

function assemble(env: Env, yaml: Record<string, unknown>, settings: EnvironmentSettings) {
  const chat = yaml.chat;
  if (settings.RBCD_TEST_CRASH_AT && settings.NODE_ENV === 'production')
    throw new ConfigError('RBCD_TEST_CRASH_AT', 'is a test hook and is refused when NODE_ENV=production');
  const databaseUrl = env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  if (settings.RBCD_HTTP_PROCESSES > 1 && !databaseUrl.startsWith('postgres'))
    throw new ConfigError(
      'RBCD_HTTP_PROCESSES',
      `${settings.RBCD_HTTP_PROCESSES} processes need PostgreSQL (DATABASE_URL=postgres://...): a SQLite file has one writer, one process`,
    );
  return withoutUndefined({
    port: settings.PORT,
    host: settings.HOST,
    database: readDatabase(databaseUrl),
    /** Run pending migrations at start: SQLite by default; PostgreSQL only with RBCD_MIGRATE_ON_START=true. */
    migrateOnStart: settings.RBCD_MIGRATE_ON_START ?? !databaseUrl.startsWith('postgres'),
    domains: readDomains(env, settings, yaml.domains),
    adminApiKey: readAdminKey(env),
    policy: readPolicy(yaml.policy),
    webhooks: readWebhooks(yaml.webhooks),
    /** `notifications.expiringLeads`: how long before a grant's expiry `grant.expiring` goes out. */
    notifications: readNotifications(yaml.notifications),
    audit: { sinks: readAuditSinks(yaml.audit) },
    chat: withoutUndefined({ slack: readSlack(env, chat), teams: readTeams(env, chat) }),
    /** The web console: where its build is, the URL people reach it at, the OIDC client it signs in with. */
    console: readConsole(env),
    apiKeys: readStaticApiKeys(yaml.apiKeys),
    oidc: readOidc(env, settings),
    roles: readRoles(settings, yaml.roles),
    jobs: {
      pollIntervalMs: settings.RBCD_JOB_POLL_MS,
      maxAttempts: settings.RBCD_JOB_MAX_ATTEMPTS,
      backoffBaseMs: settings.RBCD_JOB_BACKOFF_MS,
      leaseMs: settings.RBCD_JOB_LEASE_MS,
      expiryCheckIntervalMs: settings.RBCD_EXPIRY_CHECK_MS,
      reconcileIntervalMs: settings.RBCD_RECONCILE_MS,
      /** RBCD_WRITE_BATCH: a bulk grant's targets whose outcomes commit in one transaction (the first batch is half). */
      writeBatch: settings.RBCD_WRITE_BATCH,
    },
    logLevel: settings.LOG_LEVEL,
    /** RBCD_WORKER: this process runs the job worker, the expiry scheduler and the reconciler. */
    worker: settings.RBCD_WORKER,
    /**
     * RBCD_HTTP_PROCESSES: copies of the service behind one port (node:cluster), PostgreSQL only;
     * the first runs the background work (src/cluster/http-processes.ts).
     */
    httpProcesses: settings.RBCD_HTTP_PROCESSES,
    limits: {
      /** RBCD_MAX_TARGETS: most targets in one request or plan. */
      maxTargets: settings.RBCD_MAX_TARGETS,
      /** RBCD_RATE_LIMIT_PER_MINUTE: changes per identity per sliding minute; 0 = no limit. */
      mutationsPerMinute: settings.RBCD_RATE_LIMIT_PER_MINUTE,
    },
    /** What one GraphQL operation may ask. */
    graphql: {
      maxDepth: settings.RBCD_GRAPHQL_MAX_DEPTH,
      maxAliases: settings.RBCD_GRAPHQL_MAX_ALIASES,
      maxFields: settings.RBCD_GRAPHQL_MAX_FIELDS,
      maxDirectoryLookups: settings.RBCD_GRAPHQL_MAX_LOOKUPS,
    },
    /**
     * RBCD_READ_CACHE_ENTRIES: look-up answers kept while the DC commits nothing (each read still
     * asks the DC for its highestCommittedUSN first); 0 = every read searches.
     */
    readCacheEntries: settings.RBCD_READ_CACHE_ENTRIES,
    /** RBCD_WEBHOOK_TIMEOUT_MS: timeout of one webhook delivery. */
    webhookTimeoutMs: settings.RBCD_WEBHOOK_TIMEOUT_MS,
    /** RBCD_DRIFT_REPAIR: the reconciler puts missing grants back. */
    driftRepair: settings.RBCD_DRIFT_REPAIR,
    /**
     * RBCD_TRUST_PROXY: whose X-Forwarded-For to believe for the client address (logs): false (no
     * one), true (any hop), a hop count, or the proxies' addresses / CIDR ranges.
     */
    trustProxy: settings.RBCD_TRUST_PROXY,
    /**
     * RBCD_TEST_CRASH_AT (tests only): `<action>:<point>` kills the process with SIGKILL at that point
     * of a directory write (src/directory-writes/crash-points.ts); refused when NODE_ENV=production.
     */
    testCrashAt: settings.RBCD_TEST_CRASH_AT,
  });
}

// The environment variables, one zod schema keyed by their names: each variable's parser, default
// and rule are written here once. A problem's path is the variable's name.
import { z } from 'zod';
import { CRASH_POINTS } from '../../directory-writes/crash-points';
import { INTENT_ACTIONS } from '../../directory-writes/directory-intent.entity';
import { OIDC_USER_CLAIMS, type OidcUserClaim } from '../setting-types';
import {
  flag,
  isUnset,
  logLevel,
  optionalFlag,
  optionalText,
  optionalWholeNumber,
  port,
  problem,
  text,
  trustProxy,
  wholeNumber,
} from './setting-values';

/** The largest LDAP_POOL_SIZE: more connections than this only queue at the DC. */
export const MAX_POOL_SIZE = 32;

/** The most HTTP processes (RBCD_HTTP_PROCESSES): more than the cores only adds context switches. */
export const MAX_HTTP_PROCESSES = 64;

const httpProcesses = wholeNumber(1, 1).superRefine((n, ctx) => {
  if (n > MAX_HTTP_PROCESSES) problem(ctx, `"${n}" must be at most ${MAX_HTTP_PROCESSES}`);
});

const poolSize = wholeNumber(4, 1).superRefine((n, ctx) => {
  if (n > MAX_POOL_SIZE) problem(ctx, `"${n}" must be at most ${MAX_POOL_SIZE}`);
});

/** The largest RBCD_WRITE_BATCH: a bigger transaction only holds more targets' locks for longer. */
export const MAX_WRITE_BATCH = 1000;

const writeBatch = wholeNumber(50, 2).superRefine((n, ctx) => {
  if (n > MAX_WRITE_BATCH) problem(ctx, `"${n}" must be at most ${MAX_WRITE_BATCH}`);
});

const oidcUserClaim = z.unknown().transform((value, ctx): OidcUserClaim | undefined => {
  if (isUnset(value)) return undefined;
  const claim = String(value).trim();
  return (OIDC_USER_CLAIMS as readonly string[]).includes(claim)
    ? (claim as OidcUserClaim)
    : problem(ctx, `must be one of ${OIDC_USER_CLAIMS.join(', ')}`);
});

/** RBCD_TEST_CRASH_AT: `<action>:<point>` of a directory write (tests only). */
const crashAt = z.unknown().transform((value, ctx): string | undefined => {
  if (isUnset(value)) return undefined;
  const [action, point, ...rest] = String(value).trim().split(':');
  if (rest.length || !INTENT_ACTIONS.includes(action as never) || !CRASH_POINTS.includes(point as never))
    return problem(ctx, `must be <${INTENT_ACTIONS.join('|')}>:<${CRASH_POINTS.join('|')}>`);
  return `${action}:${point}`;
});

export const environmentSchema = z.object({
  PORT: port,
  HOST: text('0.0.0.0'),
  LOG_LEVEL: logLevel,
  RBCD_WORKER: flag(true),
  RBCD_HTTP_PROCESSES: httpProcesses,
  RBCD_DRIFT_REPAIR: flag(false),
  /** Default: on for SQLite, off for PostgreSQL (decided with DATABASE_URL). */
  RBCD_MIGRATE_ON_START: optionalFlag,
  RBCD_TRUST_PROXY: trustProxy,
  RBCD_TEST_CRASH_AT: crashAt,
  NODE_ENV: optionalText,

  RBCD_JOB_POLL_MS: wholeNumber(1000, 10),
  RBCD_JOB_MAX_ATTEMPTS: wholeNumber(8, 1),
  RBCD_JOB_BACKOFF_MS: wholeNumber(2000, 1),
  RBCD_JOB_LEASE_MS: wholeNumber(60_000, 1000),
  RBCD_EXPIRY_CHECK_MS: wholeNumber(10_000, 100),
  RBCD_RECONCILE_MS: wholeNumber(15 * 60_000, 0),
  RBCD_WRITE_BATCH: writeBatch,
  RBCD_MAX_TARGETS: wholeNumber(5000, 1),
  RBCD_RATE_LIMIT_PER_MINUTE: wholeNumber(120, 0),
  RBCD_GRAPHQL_MAX_DEPTH: wholeNumber(15, 1),
  RBCD_GRAPHQL_MAX_ALIASES: wholeNumber(100, 0),
  RBCD_GRAPHQL_MAX_FIELDS: wholeNumber(1000, 1),
  RBCD_GRAPHQL_MAX_LOOKUPS: wholeNumber(200, 1),
  RBCD_WEBHOOK_TIMEOUT_MS: wholeNumber(10_000, 100),
  RBCD_GROUP_CACHE_MS: wholeNumber(60_000, 0),

  LDAP_POOL_SIZE: poolSize,
  RBCD_READ_CACHE_ENTRIES: wholeNumber(10_000, 0),
  LDAP_STARTTLS: optionalFlag,
  LDAP_CONNECT_TIMEOUT_MS: optionalWholeNumber(100),
  LDAP_TIMEOUT_MS: optionalWholeNumber(100),

  OIDC_ROLES_CLAIM: text('roles'),
  OIDC_JWKS_CACHE_MS: wholeNumber(10 * 60_000, 0),
  OIDC_JWKS_COOLDOWN_MS: wholeNumber(30_000, 0),
  OIDC_USER_CLAIM: oidcUserClaim,
  OIDC_USERS_EXTERNAL: flag(false),
});

export type EnvironmentSettings = z.infer<typeof environmentSchema>;

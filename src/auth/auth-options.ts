import { ConfigError } from '../config/config.error';

/**
 * Tuning of authentication read from the environment at boot (kept next to the guard that uses it):
 * - RBCD_RATE_LIMIT_PER_MINUTE: mutations per identity per sliding minute (0 turns the limit off), default 120
 * - OIDC_JWKS_COOLDOWN_MS: least time between two JWKS refetches caused by an unknown key id, default 30 s
 * - OIDC_JWKS_CACHE_MS: how long a fetched JWKS is trusted before it is refetched, default 10 min
 */
export interface AuthOptions {
  rateLimitPerMinute: number;
  jwksCooldownMs: number;
  jwksCacheMaxAgeMs: number;
}

export const AUTH_OPTIONS = Symbol('AUTH_OPTIONS');

export function readAuthOptions(env: Record<string, string | undefined> = process.env): AuthOptions {
  return {
    rateLimitPerMinute: readInt(env, 'RBCD_RATE_LIMIT_PER_MINUTE', 120),
    jwksCooldownMs: readInt(env, 'OIDC_JWKS_COOLDOWN_MS', 30_000),
    jwksCacheMaxAgeMs: readInt(env, 'OIDC_JWKS_CACHE_MS', 10 * 60_000),
  };
}

function readInt(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const value = env[name]?.trim();
  if (!value) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new ConfigError(name, `"${value}" must be a whole number >= 0`);
  return n;
}

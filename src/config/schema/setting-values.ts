// The kinds of value a setting holds, as zod schemas: each reads an environment string or a YAML
// value, applies the one default, and reports a problem in words that never repeat a secret. The
// issue's path names the variable or YAML key (see first-problem.ts).
import { isIP } from 'node:net';
import { z } from 'zod';
import { parseIsoDuration } from '../../common/iso-duration';

/** Adds a problem to the parse and returns zod's "no value" marker. */
export function problem(ctx: z.RefinementCtx, message: string): typeof z.NEVER {
  ctx.addIssue({ code: z.ZodIssueCode.custom, message });
  return z.NEVER;
}

/** Unset: undefined, null or an empty (blank) string. */
export function isUnset(value: unknown): value is undefined | null | '' {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

const TRUE_WORDS = ['true', '1', 'yes', 'on'];
const FALSE_WORDS = ['false', '0', 'no', 'off'];

/** The one boolean parser for settings: true/1/yes/on and false/0/no/off, any case; unset is undefined. */
export function parseBoolean(value: unknown): boolean | undefined | 'invalid' {
  if (isUnset(value)) return undefined;
  if (typeof value === 'boolean') return value;
  const text = String(value).trim().toLowerCase();
  if (TRUE_WORDS.includes(text)) return true;
  if (FALSE_WORDS.includes(text)) return false;
  return 'invalid';
}

/** A boolean setting (the one parser above); unset: `fallback`. */
export function flag(fallback: boolean) {
  return z.unknown().transform((value, ctx): boolean => {
    const parsed = parseBoolean(value);
    if (parsed === 'invalid') return problem(ctx, 'must be true or false');
    return parsed ?? fallback;
  });
}

/** A boolean setting without a default (undefined when unset). */
export const optionalFlag = z.unknown().transform((value, ctx): boolean | undefined => {
  const parsed = parseBoolean(value);
  return parsed === 'invalid' ? problem(ctx, 'must be true or false') : parsed;
});

/** A whole number from the environment, at least `min`; unset: `fallback`. */
export function wholeNumber(fallback: number, min: number) {
  return z.unknown().transform((value, ctx): number => {
    if (isUnset(value)) return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) return problem(ctx, `"${String(value)}" must be a whole number >= ${min}`);
    return n;
  });
}

/** A whole number from the environment, at least `min`, or undefined when unset. */
export function optionalWholeNumber(min: number) {
  return z.unknown().transform((value, ctx): number | undefined => {
    if (isUnset(value)) return undefined;
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) return problem(ctx, `"${String(value)}" must be a whole number >= ${min}`);
    return n;
  });
}

/** A YAML whole number from `min` to `max`; absent: `fallback`. */
export function countFrom(min: number, max: number, fallback: number, message: string) {
  return z.unknown().transform((value, ctx): number => {
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
      return problem(ctx, message);
    return value;
  });
}

/** Trimmed text; unset (or blank) is undefined. */
export const optionalText = z.unknown().transform((value, ctx): string | undefined => {
  if (isUnset(value)) return undefined;
  if (typeof value !== 'string') return problem(ctx, 'must be a string');
  return value.trim();
});

/** Trimmed text with a default. */
export function text(fallback: string) {
  return optionalText.transform((value) => value ?? fallback);
}

/** One of a list (compared as written, after trimming). */
export function oneOf<T extends string>(values: readonly T[], fallback: T, message: string) {
  return z.unknown().transform((value, ctx): T => {
    if (isUnset(value)) return fallback;
    const text = String(value).trim();
    return (values as readonly string[]).includes(text) ? (text as T) : problem(ctx, message);
  });
}

/** An ISO 8601 duration (PT12H, P30D); absent is undefined. */
export const optionalDuration = z.unknown().transform((value, ctx): string | undefined => {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || parseIsoDuration(value) === undefined)
    return problem(ctx, `"${String(value)}" is not an ISO 8601 duration such as PT12H or P30D`);
  return value;
});

/** PORT: 0-65535; unset: 3000. */
export const port = z.unknown().transform((value, ctx): number => {
  if (isUnset(value)) return 3000;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) return problem(ctx, `"${String(value)}" is not a port number`);
  return n;
});

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** LOG_LEVEL, any case; unset: info. */
export const logLevel = z.unknown().transform((value, ctx): string => {
  const level = isUnset(value) ? 'info' : String(value).trim().toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level))
    return problem(ctx, `must be one of ${LOG_LEVELS.join(', ')}`);
  return level;
});

/** RBCD_TRUST_PROXY: `true`/`false`, a hop count, or a comma-separated list of IP addresses and CIDR ranges. */
export const trustProxy = z.unknown().transform((value, ctx): boolean | number | string[] => {
  const text = isUnset(value) ? '' : String(value).trim();
  if (!text || text === 'false') return false;
  if (text === 'true') return true;
  if (/^\d+$/.test(text)) return Number(text);
  const entries = text.split(',').map((e) => e.trim());
  for (const entry of entries) {
    const [address, bits, extra] = entry.split('/');
    const family = isIP(address);
    const maxBits = family === 4 ? 32 : 128;
    if (!family || extra !== undefined || (bits !== undefined && !(/^\d+$/.test(bits) && Number(bits) <= maxBits)))
      return problem(ctx, `"${entry}" is not an IP address or CIDR range (or use true, false, or a hop count)`);
  }
  return entries;
});

/** A URL as it may appear in an error message: no user, password or query string. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/[^/@\s]*@/, '//***@').replace(/\?.*$/, '?***');
}

/** DC URLs (a list, or a comma-separated string): ldaps:// or ldap://, scheme, host and port only. */
export const ldapUrls = z.unknown().transform((raw, ctx): string[] => {
  const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : [];
  const urls = list.map((u) => String(u).trim()).filter(Boolean);
  if (urls.length === 0) return problem(ctx, 'needs at least one ldaps:// or ldap:// URL');
  const bad = urls.find((url) => !/^ldaps?:\/\/[^/\s@?]+\/?$/i.test(url));
  if (bad) return problem(ctx, `"${redactUrl(bad)}" is not an ldap:// or ldaps:// URL (scheme, host and port only)`);
  return urls;
});

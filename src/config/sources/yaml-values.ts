// Small readers of YAML values shared by the sections: each names its key in a ConfigError and
// never repeats a secret.
import { parseIsoDuration } from '../../common/iso-duration';
import { ConfigError } from '../config.error';
import { parseBoolean } from '../schema/setting-values';

export type Env = Record<string, string | undefined>;

/** Trimmed text; absent or empty: undefined. */
export function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new ConfigError(name, 'must be a string');
  return value.trim();
}

/** A boolean key (the one boolean parser); absent: undefined. */
export function optionalBoolean(value: unknown, name: string): boolean | undefined {
  const parsed = parseBoolean(value);
  if (parsed === 'invalid') throw new ConfigError(name, 'must be true or false');
  return parsed;
}

/** An ISO 8601 duration (PT12H, P30D), trimmed and upper-cased; absent: undefined. */
export function readDuration(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || parseIsoDuration(value) === undefined)
    throw new ConfigError(name, `"${String(value)}" is not an ISO 8601 duration such as PT12H or P30D`);
  return value.trim().toUpperCase();
}

/** A whole number from 1 to `max`; absent: `fallback`. */
export function readPositiveInt(value: unknown, name: string, fallback: number, max: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max)
    throw new ConfigError(name, `must be an integer from 1 to ${max}`);
  return value;
}

/** A distinguished name made of CN=, OU= and DC= parts. */
export const DN_SHAPE = /^(CN|OU|DC)=[^,]+(,\s*(CN|OU|DC)=[^,]+)*$/i;

/** `{ca}` when there is one, else nothing (so an absent CA stays absent). */
export function pem(ca: string | undefined): { ca?: string } {
  return ca ? { ca } : {};
}

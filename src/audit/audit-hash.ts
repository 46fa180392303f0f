import { createHash } from 'node:crypto';
import type { AuditEventView } from './audit.types';

export const GENESIS_HASH = '0'.repeat(64);

/** JSON with sorted keys, so the same event always hashes the same on any database. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** What the hash covers: every field of the event but the chain links themselves. */
export type HashedFields = Omit<AuditEventView, 'prevHash' | 'hash'>;

export function eventHash(prevHash: string, event: HashedFields): string {
  const { seq, id, at, actor, type, requestId, target, data } = event;
  return createHash('sha256')
    .update(prevHash)
    .update(canonicalJson({ seq, id, at, actor, type, requestId, target, data }))
    .digest('hex');
}

import { createHash } from 'node:crypto';

/** A UUID-shaped id derived from a name: enqueuing the same job twice yields the same row. */
export function deterministicId(name: string): string {
  const h = createHash('sha256').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

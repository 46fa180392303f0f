// Was a standing entry there before the service, or written behind its back? Pure: decided from the
// attribute's own change time, the start of the service's record (its first audit event), and the
// service's own writes on the target (directory intents, with what each saw in force before it).
import type { DirectoryIntentEntity } from '../directory-writes/directory-intent.entity';

export const STANDING_ORIGINS = ['preExisting', 'outOfBand'] as const;
export type StandingOrigin = (typeof STANDING_ORIGINS)[number];

/** Where the change time came from: the attribute's replication metadata, or the object's whenChanged. */
export const CHANGE_TIME_SOURCES = ['attributeMetadata', 'whenChanged', 'unknown'] as const;
export type ChangeTimeSource = (typeof CHANGE_TIME_SOURCES)[number];

/** A write of the service and the time the directory stamps on it may differ by clock skew. */
const SKEW_MS = 5_000;

export interface OriginFacts {
  principalSid: string;
  /** When the RBCD attribute last changed (undefined: not readable). */
  changedAt?: Date;
  changedAtSource: ChangeTimeSource;
  /** The first audit event: the service keeps a record of its writes from then on (null: none yet). */
  serviceSince: Date | null;
  /** The service's writes on the target, oldest first. */
  writes: Pick<DirectoryIntentEntity, 'inForceBefore' | 'createdAt' | 'finishedAt' | 'state'>[];
}

export interface OriginVerdict {
  origin: StandingOrigin;
  reason: string;
}

/**
 * preExisting: the attribute has not changed since the service's record began, or the entry was in
 * force before the service's first write on the target and every later change is the service's own.
 * outOfBand: anything else — the attribute changed after the service started and not (only) by it.
 * When nothing says when the attribute changed, the entry counts as outOfBand: it must be looked at.
 */
export function standingOrigin(facts: OriginFacts): OriginVerdict {
  const sid = facts.principalSid.toUpperCase();
  if (!facts.serviceSince)
    return { origin: 'preExisting', reason: 'the service has recorded nothing yet: every entry predates it' };
  const since = facts.serviceSince.toISOString();
  // The directory stamps whole seconds: a change in the same second as the first event is not "before".
  if (facts.changedAt && facts.changedAt.getTime() + 1000 <= facts.serviceSince.getTime()) {
    return {
      origin: 'preExisting',
      reason: `the RBCD attribute last changed at ${facts.changedAt.toISOString()} (${facts.changedAtSource}), before the service's record began at ${since}`,
    };
  }
  const first = facts.writes[0];
  const last = facts.writes[facts.writes.length - 1];
  if (first && first.inForceBefore.map((s) => s.toUpperCase()).includes(sid) && facts.changedAt) {
    const lastWriteAt = Date.parse(last.finishedAt ?? last.createdAt);
    if (facts.changedAt.getTime() <= lastWriteAt + SKEW_MS) {
      return {
        origin: 'preExisting',
        reason: `in force before the service's first write on this target (${first.createdAt}); every later change of the attribute is the service's own`,
      };
    }
  }
  const when = facts.changedAt
    ? `at ${facts.changedAt.toISOString()} (${facts.changedAtSource})`
    : 'at an unknown time';
  return {
    origin: 'outOfBand',
    reason: `the RBCD attribute changed ${when}, after the service's record began at ${since}, and not through the service: written behind its back`,
  };
}

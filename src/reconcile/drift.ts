// What counts as drift on one target: a pure comparison of the stored descriptor with the grants
// the service keeps for that target (no framework, no I/O).
import {
  AceFlag,
  decodeSecurityDescriptor,
  formatAccessMask,
  listPrincipals,
  type SecurityDescriptor,
} from '../security-descriptor';

export const DRIFT_KINDS = [
  'missing-ace',
  'ineffective-mask',
  'unexpected-ace',
  'undecodable',
  'target-missing',
  'writer-added',
  'unfinished-write',
] as const;
export type DriftKind = (typeof DRIFT_KINDS)[number];

/** Kinds a repair can fix: an active grant whose principal has no effective ACE. */
export const REPAIRABLE_KINDS: readonly DriftKind[] = ['missing-ace', 'ineffective-mask'];

export interface DriftItem {
  kind: DriftKind;
  /** The principal the finding is about (absent for findings about the whole value). */
  sid?: string;
  message: string;
}

export interface DriftInput {
  /** The stored msDS-AllowedToActOnBehalfOfOtherIdentity value (null: absent). */
  raw: Buffer | null;
  /** Principals with an active grant on this target. */
  activeSids: Iterable<string>;
  /** Principals with any grant row on this target (active or ended): ACEs the service knows of. */
  knownSids: Iterable<string>;
}

/**
 * - missing-ace: an active grant whose principal has no ACE at all (removed outside the service);
 * - ineffective-mask: an allow ACE the KDC ignores (no control-access right 0x100, or inherit-only),
 *   for a granted principal without another effective ACE or for any other principal;
 * - unexpected-ace: an effective allow ACE for a principal that never had a grant on this target;
 * - undecodable: the stored value does not decode (nothing else can be judged).
 * (unfinished-write, UNFINISHED_WRITE: an ACE added or removed by a write of the service whose
 * outcome was never committed; the reconciler reports it from the pending intents, never as drift.)
 */
export function findDrift(input: DriftInput): DriftItem[] {
  const active = [...new Set([...input.activeSids].map((s) => s.toUpperCase()))];
  const known = new Set([...input.knownSids].map((s) => s.toUpperCase()));
  if (input.raw === null || input.raw.length === 0) {
    return active.map((sid) => ({
      kind: 'missing-ace',
      sid,
      message: `the grant for ${sid} is not in force: the attribute is empty`,
    }));
  }
  let sd: SecurityDescriptor;
  try {
    sd = decodeSecurityDescriptor(input.raw);
  } catch (error) {
    return [
      {
        kind: 'undecodable',
        message: `the stored value does not decode (${(error as Error).message}); ${active.length} active grant(s) cannot be checked`,
      },
    ];
  }
  const principals = listPrincipals(sd).principals.map((p) => ({ ...p, sid: p.sid.toUpperCase() }));
  const effective = new Set(principals.filter((p) => p.effective).map((p) => p.sid));
  const items: DriftItem[] = [];
  const reported = new Set<string>();
  for (const sid of active) {
    if (effective.has(sid)) continue;
    const ineffective = principals.find((p) => p.sid === sid && p.aceType === 'allow');
    reported.add(sid);
    items.push(
      ineffective
        ? {
            kind: 'ineffective-mask',
            sid,
            message: `the grant for ${sid} is not in force: its allow ACE has mask ${formatAccessMask(ineffective.accessMask)}${ineffective.flags & AceFlag.INHERIT_ONLY ? ' and is inherit-only' : ''}, which the KDC ignores`,
          }
        : {
            kind: 'missing-ace',
            sid,
            message: `the grant for ${sid} is not in force: its ACE was removed outside the service`,
          },
    );
  }
  for (const p of principals) {
    if (reported.has(p.sid)) continue;
    if (p.effective && !known.has(p.sid)) {
      reported.add(p.sid);
      items.push({
        kind: 'unexpected-ace',
        sid: p.sid,
        message: `${p.sid} may delegate to this account but no grant of the service put it there (added outside the service)`,
      });
    } else if (!p.effective && p.aceType === 'allow' && !effective.has(p.sid)) {
      reported.add(p.sid);
      items.push({
        kind: 'ineffective-mask',
        sid: p.sid,
        message: `the allow ACE for ${p.sid} has mask ${formatAccessMask(p.accessMask)}, which the KDC ignores`,
      });
    }
  }
  return items;
}

import type { OwnerRequirement } from './owner.types';

/** An approval as the quorum counts it: one person (or system credential), and what they own. */
export interface CountedApproval {
  personKey: string;
  name: string;
  ownerOf: string[];
}

export interface TargetOwnerStatus {
  sid: string;
  samAccountName: string;
  required: number;
  approvedBy: string[];
  missing: number;
}

export interface QuorumStatus {
  met: boolean;
  /** Distinct persons who approved. */
  approvers: number;
  required: number;
  targets: TargetOwnerStatus[];
  /** What is still missing, in words. */
  missing: string[];
}

/**
 * Whether the approvals meet the policy: `required` distinct persons in all, and for every target
 * that needs owner approvals, that many distinct owners of that target among them (an owner's
 * approval also counts toward the total). Rows of one person are counted once.
 */
export function quorumStatus(
  required: number,
  owners: OwnerRequirement | null,
  approvals: CountedApproval[],
): QuorumStatus {
  const byPerson = new Map<string, CountedApproval>();
  for (const a of approvals) {
    const seen = byPerson.get(a.personKey);
    byPerson.set(a.personKey, seen ? { ...seen, ownerOf: [...new Set([...seen.ownerOf, ...a.ownerOf])] } : a);
  }
  const people = [...byPerson.values()];
  const targets = (owners?.targets ?? [])
    .filter((t) => t.required > 0)
    .map((t) => {
      const approvedBy = people
        .filter((p) => p.ownerOf.some((sid) => sid.toUpperCase() === t.target.sid.toUpperCase()))
        .map((p) => p.name);
      return {
        sid: t.target.sid,
        samAccountName: t.target.samAccountName,
        required: t.required,
        approvedBy,
        missing: Math.max(0, t.required - approvedBy.length),
      };
    });
  const missing: string[] = [];
  for (const t of targets) {
    if (t.missing > 0) missing.push(`${t.missing} approval(s) from an owner of ${t.samAccountName}`);
  }
  const short = required - people.length;
  if (short > 0) missing.push(`${short} more approval(s) in all (${people.length}/${required})`);
  return { met: missing.length === 0, approvers: people.length, required, targets, missing };
}

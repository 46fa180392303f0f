import { DomainError } from '../common/errors/domain-error';
import {
  addPrincipals,
  BUILTIN_ADMINISTRATORS_SID,
  createRbcdDescriptor,
  decodeSecurityDescriptor,
  encodeSecurityDescriptor,
  removeAllAllowAces,
  removePrincipals,
  type SecurityDescriptor,
  SecurityDescriptorError,
} from '../security-descriptor';

export const RBCD_ACTIONS = ['grant', 'revoke', 'clear'] as const;
export type RbcdAction = (typeof RBCD_ACTIONS)[number];
/**
 * `revoke` is an explicit revoke: every ACE that could allow the principal goes (type 0 with any
 * mask, object and callback allow ACEs), so nothing the KDC or a later reader might honour stays.
 * `end-grant` is the end of one grant (expiry, or a revoke ending it): only the plain allow ACEs
 * (type 0) a grant writes go, anything else stays as it was.
 */
export type RbcdChangeAction = RbcdAction | 'end-grant';

export interface RbcdChange {
  /** New bytes, null to clear, undefined when nothing needs to change. */
  next: Buffer | null | undefined;
  before: SecurityDescriptor | null;
  after: SecurityDescriptor | null;
  /** SIDs whose ACE this change adds (grant) or removes (revoke). */
  affected: string[];
}

/**
 * The one place that decides what a grant, revoke or clear does to a stored value. Only the
 * requested ACEs change; a grant already in force changes nothing; an undecodable stored value is
 * refused by grant and revoke (an operator must clear it deliberately).
 */
export function planRbcdChange(action: RbcdChangeAction, current: Buffer | null, principalSids: string[]): RbcdChange {
  if (action === 'clear') {
    const before = current ? tryDecode(current) : null;
    return { next: current ? null : undefined, before, after: null, affected: [] };
  }
  const before = current ? decodeOrRefuse(current) : null;
  if (action === 'grant') {
    if (!before) {
      const after = createRbcdDescriptor(principalSids);
      return {
        next: encodeSecurityDescriptor(after),
        before,
        after,
        affected: [...new Set(principalSids.map((s) => s.toUpperCase()))],
      };
    }
    const { descriptor, added } = addPrincipals(before, principalSids);
    return {
      next: added.length ? encodeSecurityDescriptor(descriptor) : undefined,
      before,
      after: descriptor,
      affected: added,
    };
  }
  if (!before) return { next: undefined, before, after: null, affected: [] };
  const { descriptor, removed } =
    action === 'revoke' ? removeAllAllowAces(before, principalSids) : removePrincipals(before, principalSids);
  if (!removed.length) return { next: undefined, before, after: descriptor, affected: removed };
  // When the last entry goes and nothing else is left (no group, SACL or other owner), the
  // attribute is cleared rather than left as an empty list: both mean "nobody", and a grant made
  // on a computer without the attribute is undone byte for byte.
  if (allowsNobodyAndHoldsNothingElse(descriptor)) return { next: null, before, after: null, affected: removed };
  return { next: encodeSecurityDescriptor(descriptor), before, after: descriptor, affected: removed };
}

function allowsNobodyAndHoldsNothingElse(sd: SecurityDescriptor): boolean {
  return (
    sd.dacl !== null &&
    sd.dacl.aces.length === 0 &&
    sd.group === null &&
    sd.sacl === null &&
    (sd.owner === null || sd.owner === BUILTIN_ADMINISTRATORS_SID)
  );
}

function tryDecode(bytes: Buffer): SecurityDescriptor | null {
  try {
    return decodeSecurityDescriptor(bytes);
  } catch {
    return null;
  }
}

function decodeOrRefuse(bytes: Buffer): SecurityDescriptor {
  try {
    return decodeSecurityDescriptor(bytes);
  } catch (error) {
    if (!(error instanceof SecurityDescriptorError)) throw error;
    throw new DomainError(
      'INVALID_SECURITY_DESCRIPTOR',
      `The stored descriptor does not decode (${error.message}); it is not overwritten. Clear it deliberately first.`,
      {
        raw: bytes.toString('base64'),
        field: error.field,
        offset: error.offset,
      },
    );
  }
}

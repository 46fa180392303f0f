// ACL, [MS-DTYP] 2.4.5: AclRevision(1), Sbz1(1), AclSize(2), AceCount(2), Sbz2(2), then AceCount ACEs.
// AclSize may leave free space after the last ACE (Windows' AddAce fills it in place); it is kept.

import { ByteReader, writeU16 } from './byte-reader';
import { Ace, aceByteLength, decodeAce, writeAce } from './ace';
import { SecurityDescriptorError } from './errors';

export const ACL_HEADER_SIZE = 8;
/** ACL_REVISION: only non-object ACEs. */
export const ACL_REVISION = 2;
/** ACL_REVISION_DS: object ACEs allowed; what the RBCD tools write. */
export const ACL_REVISION_DS = 4;
/** Windows accepts MIN_ACL_REVISION (2) to MAX_ACL_REVISION (4); 3 is the compound-ACE revision. */
const MIN_ACL_REVISION = 2;
const MAX_ACL_REVISION = 4;

export interface Acl {
  readonly revision: number;
  readonly sbz1: number;
  readonly sbz2: number;
  readonly aces: readonly Ace[];
  /** Bytes between the last ACE and AclSize (normally none). */
  readonly freeSpace: Uint8Array;
}

const EMPTY = new Uint8Array(0);

export function emptyAcl(revision: number = ACL_REVISION_DS): Acl {
  return { revision, sbz1: 0, sbz2: 0, aces: [], freeSpace: EMPTY };
}

/** Decodes the ACL at `offset`; it must fit inside `reader`'s window. */
export function decodeAcl(reader: ByteReader, offset: number, field: string): { acl: Acl; size: number } {
  const revision = reader.u8(offset, `${field}.AclRevision`);
  if (revision < MIN_ACL_REVISION || revision > MAX_ACL_REVISION) {
    throw new SecurityDescriptorError(
      `ACL revision ${revision}, expected ${ACL_REVISION} or ${ACL_REVISION_DS}`,
      `${field}.AclRevision`,
      offset,
    );
  }
  const sbz1 = reader.u8(offset + 1, `${field}.Sbz1`);
  const size = reader.u16(offset + 2, `${field}.AclSize`);
  const count = reader.u16(offset + 4, `${field}.AceCount`);
  const sbz2 = reader.u16(offset + 6, `${field}.Sbz2`);
  // Windows' RtlValidAcl refuses an AclSize that is not ULONG-aligned.
  if (size < ACL_HEADER_SIZE || size % 4 !== 0) {
    throw new SecurityDescriptorError(
      `AclSize ${size} must be at least ${ACL_HEADER_SIZE} and a multiple of 4`,
      `${field}.AclSize`,
      offset + 2,
    );
  }
  const acl = reader.window(offset, size, `${field}.AclSize`);
  // Each ACE consumes at least 4 bytes or throws, so the loop is bounded by AclSize, whatever AceCount says.
  const aces: Ace[] = [];
  let p = offset + ACL_HEADER_SIZE;
  for (let i = 0; i < count; i++) {
    if (p >= offset + size) {
      throw new SecurityDescriptorError(
        `AceCount ${count} but the ACL (AclSize ${size}) ends after ${i} ACE(s)`,
        `${field}.AceCount`,
        offset + 4,
      );
    }
    const decoded = decodeAce(acl, p, `${field}.Ace[${i}]`);
    aces.push(decoded.ace);
    p += decoded.size;
  }
  const freeSpace = p < offset + size ? acl.slice(p, offset + size - p, `${field}.AclSize`) : EMPTY;
  return { acl: { revision, sbz1, sbz2, aces, freeSpace }, size };
}

export function aclByteLength(acl: Acl): number {
  let size = ACL_HEADER_SIZE + acl.freeSpace.length;
  for (const ace of acl.aces) size += aceByteLength(ace);
  return size;
}

/** Writes the ACL at `offset` of a zero-filled buffer; returns the bytes written. */
export function writeAcl(out: Uint8Array, offset: number, acl: Acl, field: string): number {
  const size = aclByteLength(acl);
  if (size > 0xffff)
    throw new SecurityDescriptorError(`ACL of ${size} bytes does not fit AclSize`, `${field}.AclSize`, offset + 2);
  if (size % 4 !== 0)
    throw new SecurityDescriptorError(
      `free space of ${acl.freeSpace.length} bytes breaks 4-byte alignment`,
      `${field}.AclSize`,
      offset + 2,
    );
  if (acl.aces.length > 0xffff)
    throw new SecurityDescriptorError(`${acl.aces.length} ACEs do not fit AceCount`, `${field}.AceCount`, offset + 4);
  out[offset] = acl.revision;
  out[offset + 1] = acl.sbz1;
  writeU16(out, offset + 2, size);
  writeU16(out, offset + 4, acl.aces.length);
  writeU16(out, offset + 6, acl.sbz2);
  let p = offset + ACL_HEADER_SIZE;
  for (let i = 0; i < acl.aces.length; i++) p += writeAce(out, p, acl.aces[i], `${field}.Ace[${i}]`);
  out.set(acl.freeSpace, p);
  return size;
}

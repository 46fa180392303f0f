// Self-relative SECURITY_DESCRIPTOR, [MS-DTYP] 2.4.6: Revision(1)=1, Sbz1(1), Control(2),
// OffsetOwner, OffsetGroup, OffsetSacl, OffsetDacl (4 each, 0 = absent), then the components at those
// offsets in any order. The model records that order (`layout`) so a value decoded from samba-tool
// (owner first) or impacket (DACL first) encodes back to the same bytes. Encoding writes the
// components contiguously after the header, recomputing every offset and size; gaps between
// components in the input are not kept (they carry no meaning).

import { ByteReader, writeU16, writeU32 } from './byte-reader';
import { Acl, aclByteLength, decodeAcl, writeAcl } from './acl';
import { SecurityDescriptorError } from './errors';
import { decodeSid, sidByteLength, writeSid } from './sid';

export const SECURITY_DESCRIPTOR_REVISION = 1;
export const SECURITY_DESCRIPTOR_HEADER_SIZE = 20;

/** SECURITY_DESCRIPTOR Control, [MS-DTYP] 2.4.6. */
export const SdControl = {
  SE_OWNER_DEFAULTED: 0x0001,
  SE_GROUP_DEFAULTED: 0x0002,
  SE_DACL_PRESENT: 0x0004,
  SE_DACL_DEFAULTED: 0x0008,
  SE_SACL_PRESENT: 0x0010,
  SE_SACL_DEFAULTED: 0x0020,
  SE_DACL_TRUSTED: 0x0040,
  SE_SERVER_SECURITY: 0x0080,
  SE_DACL_AUTO_INHERIT_REQ: 0x0100,
  SE_SACL_AUTO_INHERIT_REQ: 0x0200,
  SE_DACL_AUTO_INHERITED: 0x0400,
  SE_SACL_AUTO_INHERITED: 0x0800,
  SE_DACL_PROTECTED: 0x1000,
  SE_SACL_PROTECTED: 0x2000,
  SE_RM_CONTROL_VALID: 0x4000,
  SE_SELF_RELATIVE: 0x8000,
} as const;

export type SecurityDescriptorPart = 'owner' | 'group' | 'sacl' | 'dacl';

export interface SecurityDescriptor {
  readonly revision: number;
  /** Reserved byte (the resource-manager control bits when SE_RM_CONTROL_VALID is set); kept as read. */
  readonly sbz1: number;
  readonly control: number;
  readonly owner: string | null;
  readonly group: string | null;
  readonly sacl: Acl | null;
  readonly dacl: Acl | null;
  /** Order of the present components after the header. Present parts missing here go last. */
  readonly layout: readonly SecurityDescriptorPart[];
}

const CANONICAL_ORDER: readonly SecurityDescriptorPart[] = ['owner', 'group', 'sacl', 'dacl'];
const OFFSET_FIELDS = { owner: 'OffsetOwner', group: 'OffsetGroup', sacl: 'OffsetSacl', dacl: 'OffsetDacl' } as const;
const HEADER_OFFSET = { owner: 4, group: 8, sacl: 12, dacl: 16 } as const;
const PART_NAMES = { owner: 'Owner', group: 'Group', sacl: 'Sacl', dacl: 'Dacl' } as const;

/** Decodes a self-relative security descriptor. Throws only SecurityDescriptorError. */
export function decodeSecurityDescriptor(bytes: Uint8Array): SecurityDescriptor {
  if (!(bytes instanceof Uint8Array)) {
    throw new SecurityDescriptorError('input is not a byte array', 'SecurityDescriptor', 0);
  }
  if (bytes.length < SECURITY_DESCRIPTOR_HEADER_SIZE) {
    throw new SecurityDescriptorError(
      `${bytes.length} byte(s), a self-relative header alone needs ${SECURITY_DESCRIPTOR_HEADER_SIZE}`,
      'SecurityDescriptor',
      bytes.length,
    );
  }
  const reader = new ByteReader(bytes);
  const revision = reader.u8(0, 'Revision');
  if (revision !== SECURITY_DESCRIPTOR_REVISION) {
    throw new SecurityDescriptorError(`revision ${revision}, expected ${SECURITY_DESCRIPTOR_REVISION}`, 'Revision', 0);
  }
  const sbz1 = reader.u8(1, 'Sbz1');
  const control = reader.u16(2, 'Control');
  if (!(control & SdControl.SE_SELF_RELATIVE)) {
    throw new SecurityDescriptorError(
      `control 0x${control.toString(16)} lacks SE_SELF_RELATIVE (0x8000): not a self-relative descriptor`,
      'Control',
      2,
    );
  }

  const offsets = {} as Record<SecurityDescriptorPart, number>;
  for (const part of CANONICAL_ORDER) {
    const at = HEADER_OFFSET[part];
    const offset = reader.u32(at, OFFSET_FIELDS[part]);
    if (offset !== 0 && (offset < SECURITY_DESCRIPTOR_HEADER_SIZE || offset >= bytes.length)) {
      throw new SecurityDescriptorError(
        `offset ${offset} is outside the components area [${SECURITY_DESCRIPTOR_HEADER_SIZE}, ${bytes.length})`,
        OFFSET_FIELDS[part],
        at,
      );
    }
    offsets[part] = offset;
  }

  const owner = offsets.owner ? decodeSid(reader, offsets.owner, PART_NAMES.owner).sid : null;
  const group = offsets.group ? decodeSid(reader, offsets.group, PART_NAMES.group).sid : null;
  const sacl = offsets.sacl ? decodeAcl(reader, offsets.sacl, PART_NAMES.sacl).acl : null;
  const dacl = offsets.dacl ? decodeAcl(reader, offsets.dacl, PART_NAMES.dacl).acl : null;
  // Stable sort: components sharing an offset keep the canonical order.
  const layout = CANONICAL_ORDER.filter((part) => offsets[part] !== 0).sort((a, b) => offsets[a] - offsets[b]);

  return { revision, sbz1, control, owner, group, sacl, dacl, layout };
}

export function encodeSecurityDescriptor(sd: SecurityDescriptor): Buffer {
  const parts = orderedParts(sd);
  let size = SECURITY_DESCRIPTOR_HEADER_SIZE;
  for (const part of parts) size += partByteLength(sd, part);
  const out = Buffer.alloc(size);

  if (!Number.isInteger(sd.sbz1) || sd.sbz1 < 0 || sd.sbz1 > 0xff) {
    throw new SecurityDescriptorError(`${sd.sbz1} does not fit in one byte`, 'Sbz1', 1);
  }
  if (!Number.isInteger(sd.control) || sd.control < 0 || sd.control > 0xffff) {
    throw new SecurityDescriptorError(`${sd.control} does not fit in 16 bits`, 'Control', 2);
  }
  out[0] = SECURITY_DESCRIPTOR_REVISION;
  out[1] = sd.sbz1;
  writeU16(out, 2, sd.control | SdControl.SE_SELF_RELATIVE);

  let p = SECURITY_DESCRIPTOR_HEADER_SIZE;
  for (const part of parts) {
    writeU32(out, HEADER_OFFSET[part], p);
    p += writePart(out, p, sd, part);
  }
  return out;
}

function orderedParts(sd: SecurityDescriptor): SecurityDescriptorPart[] {
  const parts: SecurityDescriptorPart[] = [];
  for (const part of [...sd.layout, ...CANONICAL_ORDER]) {
    if (sd[part] !== null && sd[part] !== undefined && !parts.includes(part)) parts.push(part);
  }
  return parts;
}

function partByteLength(sd: SecurityDescriptor, part: SecurityDescriptorPart): number {
  switch (part) {
    case 'owner':
      return sidByteLength(sd.owner as string);
    case 'group':
      return sidByteLength(sd.group as string);
    case 'sacl':
      return aclByteLength(sd.sacl as Acl);
    case 'dacl':
      return aclByteLength(sd.dacl as Acl);
  }
}

function writePart(out: Uint8Array, offset: number, sd: SecurityDescriptor, part: SecurityDescriptorPart): number {
  switch (part) {
    case 'owner':
      return writeSid(out, offset, sd.owner as string, PART_NAMES.owner);
    case 'group':
      return writeSid(out, offset, sd.group as string, PART_NAMES.group);
    case 'sacl':
      return writeAcl(out, offset, sd.sacl as Acl, PART_NAMES.sacl);
    case 'dacl':
      return writeAcl(out, offset, sd.dacl as Acl, PART_NAMES.dacl);
  }
}

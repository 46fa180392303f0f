// ACE, [MS-DTYP] 2.4.4. Header 2.4.4.1 (AceType, AceFlags, AceSize). Parsed bodies:
// ACCESS_ALLOWED_ACE 2.4.4.2 and ACCESS_DENIED_ACE 2.4.4.4 (Mask, Sid), ACCESS_ALLOWED_OBJECT_ACE 2.4.4.3
// and ACCESS_DENIED_OBJECT_ACE 2.4.4.5 (Mask, Flags, optional ObjectType and InheritedObjectType GUIDs,
// Sid). Any other type is kept as raw bytes, and bytes inside AceSize after the SID are kept too, so
// every ACE re-encodes byte for byte.

import { ByteReader, writeU16, writeU32 } from './byte-reader';
import { SecurityDescriptorError } from './errors';
import { GUID_SIZE, decodeGuid, writeGuid } from './guid';
import { decodeSid, sidByteLength, writeSid } from './sid';

export const ACE_HEADER_SIZE = 4;

export const AceType = {
  ACCESS_ALLOWED: 0x00,
  ACCESS_DENIED: 0x01,
  SYSTEM_AUDIT: 0x02,
  SYSTEM_ALARM: 0x03,
  ACCESS_ALLOWED_COMPOUND: 0x04,
  ACCESS_ALLOWED_OBJECT: 0x05,
  ACCESS_DENIED_OBJECT: 0x06,
  SYSTEM_AUDIT_OBJECT: 0x07,
  SYSTEM_ALARM_OBJECT: 0x08,
  ACCESS_ALLOWED_CALLBACK: 0x09,
  ACCESS_DENIED_CALLBACK: 0x0a,
  ACCESS_ALLOWED_CALLBACK_OBJECT: 0x0b,
  ACCESS_DENIED_CALLBACK_OBJECT: 0x0c,
  SYSTEM_AUDIT_CALLBACK: 0x0d,
  SYSTEM_ALARM_CALLBACK: 0x0e,
  SYSTEM_AUDIT_CALLBACK_OBJECT: 0x0f,
  SYSTEM_ALARM_CALLBACK_OBJECT: 0x10,
  SYSTEM_MANDATORY_LABEL: 0x11,
  SYSTEM_RESOURCE_ATTRIBUTE: 0x12,
  SYSTEM_SCOPED_POLICY_ID: 0x13,
} as const;

/** AceFlags, [MS-DTYP] 2.4.4.1. */
export const AceFlag = {
  OBJECT_INHERIT: 0x01,
  CONTAINER_INHERIT: 0x02,
  NO_PROPAGATE_INHERIT: 0x04,
  INHERIT_ONLY: 0x08,
  INHERITED: 0x10,
  SUCCESSFUL_ACCESS: 0x40,
  FAILED_ACCESS: 0x80,
} as const;

/** Flags field of the object ACEs, [MS-DTYP] 2.4.4.3. */
export const ACE_OBJECT_TYPE_PRESENT = 0x1;
export const ACE_INHERITED_OBJECT_TYPE_PRESENT = 0x2;

export interface AccessAce {
  readonly kind: 'access';
  readonly type: 0x00 | 0x01;
  readonly flags: number;
  readonly mask: number;
  readonly sid: string;
  /** Bytes inside AceSize after the SID (normally none). */
  readonly trailing: Uint8Array;
}

export interface ObjectAce {
  readonly kind: 'object';
  readonly type: 0x05 | 0x06;
  readonly flags: number;
  readonly mask: number;
  /** The Flags field as stored; the two presence bits follow objectType / inheritedObjectType on encode. */
  readonly objectFlags: number;
  readonly objectType?: string;
  readonly inheritedObjectType?: string;
  readonly sid: string;
  readonly trailing: Uint8Array;
}

export interface RawAce {
  readonly kind: 'raw';
  readonly type: number;
  readonly flags: number;
  /** Everything after the 4-byte header, up to AceSize. */
  readonly body: Uint8Array;
}

export type Ace = AccessAce | ObjectAce | RawAce;

const EMPTY = new Uint8Array(0);

export function accessAllowedAce(sid: string, mask: number, flags = 0): AccessAce {
  return { kind: 'access', type: AceType.ACCESS_ALLOWED, flags, mask, sid, trailing: EMPTY };
}

/** Raw ACE types whose body starts with Mask then Sid, like ACCESS_ALLOWED_ACE ([MS-DTYP] 2.4.4.6-2.4.4.16). */
const MASK_SID_LAYOUT = new Set<number>([
  AceType.SYSTEM_AUDIT,
  AceType.SYSTEM_ALARM,
  AceType.ACCESS_ALLOWED_CALLBACK,
  AceType.ACCESS_DENIED_CALLBACK,
  AceType.SYSTEM_AUDIT_CALLBACK,
  AceType.SYSTEM_ALARM_CALLBACK,
  AceType.SYSTEM_MANDATORY_LABEL,
  AceType.SYSTEM_RESOURCE_ATTRIBUTE,
  AceType.SYSTEM_SCOPED_POLICY_ID,
]);

/** Best effort, for reporting only: mask and SID of a raw ACE whose type has the Mask+Sid layout. */
export function readRawAceMaskAndSid(ace: RawAce): { mask: number; sid: string } | undefined {
  if (!MASK_SID_LAYOUT.has(ace.type)) return undefined;
  try {
    const reader = new ByteReader(ace.body);
    return { mask: reader.u32(0, 'Mask'), sid: decodeSid(reader, 4, 'Sid').sid };
  } catch {
    return undefined;
  }
}

/** Decodes the ACE at `offset`; `reader` is windowed to the enclosing ACL. */
export function decodeAce(reader: ByteReader, offset: number, field: string): { ace: Ace; size: number } {
  const type = reader.u8(offset, `${field}.AceType`);
  const flags = reader.u8(offset + 1, `${field}.AceFlags`);
  const size = reader.u16(offset + 2, `${field}.AceSize`);
  if (size < ACE_HEADER_SIZE) {
    throw new SecurityDescriptorError(
      `AceSize ${size} is smaller than the ${ACE_HEADER_SIZE}-byte ACE header`,
      `${field}.AceSize`,
      offset + 2,
    );
  }
  // [MS-DTYP] 2.4.4.1: AceSize MUST be a multiple of 4 (Windows' RtlValidAcl refuses unaligned ACEs
  // too). Enforcing it for every type keeps every component we encode 4-byte aligned.
  if (size % 4 !== 0) {
    throw new SecurityDescriptorError(`AceSize ${size} is not a multiple of 4`, `${field}.AceSize`, offset + 2);
  }
  const ace = reader.window(offset, size, `${field}.AceSize`);
  const bodyStart = offset + ACE_HEADER_SIZE;
  const end = offset + size;

  if (type === AceType.ACCESS_ALLOWED || type === AceType.ACCESS_DENIED) {
    const mask = ace.u32(bodyStart, `${field}.Mask`);
    const { sid, size: sidSize } = decodeSid(ace, bodyStart + 4, `${field}.Sid`);
    const trailing = ace.slice(bodyStart + 4 + sidSize, end - (bodyStart + 4 + sidSize), `${field}.Sid`);
    return { ace: { kind: 'access', type, flags, mask, sid, trailing }, size };
  }

  if (type === AceType.ACCESS_ALLOWED_OBJECT || type === AceType.ACCESS_DENIED_OBJECT) {
    const mask = ace.u32(bodyStart, `${field}.Mask`);
    const objectFlags = ace.u32(bodyStart + 4, `${field}.Flags`);
    let p = bodyStart + 8;
    let objectType: string | undefined;
    let inheritedObjectType: string | undefined;
    if (objectFlags & ACE_OBJECT_TYPE_PRESENT) {
      objectType = decodeGuid(ace, p, `${field}.ObjectType`);
      p += GUID_SIZE;
    }
    if (objectFlags & ACE_INHERITED_OBJECT_TYPE_PRESENT) {
      inheritedObjectType = decodeGuid(ace, p, `${field}.InheritedObjectType`);
      p += GUID_SIZE;
    }
    const { sid, size: sidSize } = decodeSid(ace, p, `${field}.Sid`);
    p += sidSize;
    const trailing = ace.slice(p, end - p, `${field}.Sid`);
    const decoded: ObjectAce = {
      kind: 'object',
      type,
      flags,
      mask,
      objectFlags,
      ...(objectType !== undefined && { objectType }),
      ...(inheritedObjectType !== undefined && { inheritedObjectType }),
      sid,
      trailing,
    };
    return { ace: decoded, size };
  }

  return { ace: { kind: 'raw', type, flags, body: ace.slice(bodyStart, end - bodyStart, `${field}.Body`) }, size };
}

/** Encoded size, including padding of the variable part to a multiple of 4. */
export function aceByteLength(ace: Ace): number {
  switch (ace.kind) {
    case 'access':
      return pad4(ACE_HEADER_SIZE + 4 + sidByteLength(ace.sid) + ace.trailing.length);
    case 'object':
      return pad4(
        ACE_HEADER_SIZE +
          8 +
          (ace.objectType !== undefined ? GUID_SIZE : 0) +
          (ace.inheritedObjectType !== undefined ? GUID_SIZE : 0) +
          sidByteLength(ace.sid) +
          ace.trailing.length,
      );
    case 'raw':
      return pad4(ACE_HEADER_SIZE + ace.body.length);
  }
}

/** Writes the ACE at `offset` of a zero-filled buffer; returns the bytes written (== aceByteLength). */
export function writeAce(out: Uint8Array, offset: number, ace: Ace, field: string): number {
  const size = aceByteLength(ace);
  if (size > 0xffff)
    throw new SecurityDescriptorError(`ACE of ${size} bytes does not fit AceSize`, `${field}.AceSize`, offset + 2);
  checkByte(ace.type, `${field}.AceType`, offset);
  checkByte(ace.flags, `${field}.AceFlags`, offset + 1);
  out[offset] = ace.type;
  out[offset + 1] = ace.flags;
  writeU16(out, offset + 2, size);
  let p = offset + ACE_HEADER_SIZE;
  switch (ace.kind) {
    case 'access':
      checkU32(ace.mask, `${field}.Mask`, p);
      writeU32(out, p, ace.mask);
      p += 4;
      p += writeSid(out, p, ace.sid, `${field}.Sid`);
      out.set(ace.trailing, p);
      break;
    case 'object': {
      checkU32(ace.mask, `${field}.Mask`, p);
      checkU32(ace.objectFlags, `${field}.Flags`, p + 4);
      writeU32(out, p, ace.mask);
      const objectFlags =
        (ace.objectFlags & ~(ACE_OBJECT_TYPE_PRESENT | ACE_INHERITED_OBJECT_TYPE_PRESENT)) |
        (ace.objectType !== undefined ? ACE_OBJECT_TYPE_PRESENT : 0) |
        (ace.inheritedObjectType !== undefined ? ACE_INHERITED_OBJECT_TYPE_PRESENT : 0);
      writeU32(out, p + 4, objectFlags);
      p += 8;
      if (ace.objectType !== undefined) {
        writeGuid(out, p, ace.objectType, `${field}.ObjectType`);
        p += GUID_SIZE;
      }
      if (ace.inheritedObjectType !== undefined) {
        writeGuid(out, p, ace.inheritedObjectType, `${field}.InheritedObjectType`);
        p += GUID_SIZE;
      }
      p += writeSid(out, p, ace.sid, `${field}.Sid`);
      out.set(ace.trailing, p);
      break;
    }
    case 'raw':
      out.set(ace.body, p);
      break;
  }
  return size;
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}

function checkByte(value: number, field: string, offset: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xff) {
    throw new SecurityDescriptorError(`${value} does not fit in one byte`, field, offset);
  }
}

function checkU32(value: number, field: string, offset: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff_ffff) {
    throw new SecurityDescriptorError(`${value} is not a 32-bit unsigned integer`, field, offset);
  }
}

// SID: [MS-DTYP] 2.4.2.2 (binary: Revision, SubAuthorityCount, IdentifierAuthority 6 bytes big-endian,
// SubAuthority[] 4 bytes little-endian each) and 2.4.2.1 (string form "S-1-<authority>-<sub>...").
// The security-descriptor model carries SIDs as canonical strings: the string form is lossless for
// revision 1 (the only revision there is), so decode -> format -> parse -> encode gives the same bytes.

import { ByteReader, writeU32 } from './byte-reader';
import { InvalidSidError, SecurityDescriptorError } from './errors';

export const SID_REVISION = 1;
export const SID_MAX_SUB_AUTHORITIES = 15;
/** Revision, SubAuthorityCount and IdentifierAuthority. */
export const SID_HEADER_SIZE = 8;

const TWO_32 = 0x1_0000_0000;
const TWO_48 = 0x1_0000_0000_0000;

export interface Sid {
  readonly revision: 1;
  /** 48-bit IdentifierAuthority as a number (exact: below 2^53). */
  readonly identifierAuthority: number;
  readonly subAuthorities: readonly number[];
}

/**
 * Parses the string form ([MS-DTYP] 2.4.2.1 ABNF): "S-1-", an authority in decimal below 2^32 or as
 * "0x" plus exactly 12 hex digits, then at most 15 decimal sub-authorities below 2^32. Letters are
 * case-insensitive (callers upper-case SIDs for comparisons); no signs, spaces or leading zeros.
 * formatSid gives the canonical form back.
 */
export function parseSid(text: string): Sid {
  const result = tryParseSid(text);
  if (typeof result === 'string') throw new InvalidSidError(`invalid SID "${String(text)}": ${result}`, String(text));
  return result;
}

export function isSidString(text: string): boolean {
  return typeof tryParseSid(text) !== 'string';
}

export function formatSid(sid: Sid): string {
  const { identifierAuthority: authority, subAuthorities } = sid;
  if (sid.revision !== SID_REVISION)
    throw new InvalidSidError(`unsupported SID revision ${sid.revision}`, String(sid.revision));
  if (!Number.isInteger(authority) || authority < 0 || authority >= TWO_48) {
    throw new InvalidSidError(`identifier authority ${authority} is not a 48-bit unsigned integer`, String(authority));
  }
  if (subAuthorities.length > SID_MAX_SUB_AUTHORITIES) {
    throw new InvalidSidError(`${subAuthorities.length} sub-authorities (at most ${SID_MAX_SUB_AUTHORITIES})`, '');
  }
  let text = 'S-1-' + formatAuthority(authority);
  for (const sub of subAuthorities) {
    if (!Number.isInteger(sub) || sub < 0 || sub >= TWO_32) {
      throw new InvalidSidError(`sub-authority ${sub} is not a 32-bit unsigned integer`, String(sub));
    }
    text += '-' + sub;
  }
  return text;
}

/** Canonical form of a SID string (e.g. a hex authority below 2^32 becomes decimal). */
export function canonicalSid(text: string): string {
  return formatSid(parseSid(text));
}

/** objectSid attribute value -> string. The value must be exactly one SID. */
export function sidFromBytes(bytes: Uint8Array): string {
  if (!(bytes instanceof Uint8Array)) throw new InvalidSidError('objectSid value is not a byte array', '');
  try {
    const { sid, size } = decodeSid(new ByteReader(bytes), 0, 'Sid');
    if (size !== bytes.length) {
      throw new SecurityDescriptorError(`${bytes.length - size} byte(s) after the SID`, 'Sid', size);
    }
    return sid;
  } catch (error) {
    if (error instanceof SecurityDescriptorError) {
      throw new InvalidSidError(`invalid binary SID: ${error.message}`, Buffer.from(bytes).toString('hex'));
    }
    throw error;
  }
}

/** String -> objectSid attribute value (for LDAP filters and comparisons). */
export function sidToBytes(sid: string): Buffer {
  const parsed = parseSid(sid);
  const out = Buffer.alloc(SID_HEADER_SIZE + 4 * parsed.subAuthorities.length);
  writeParsedSid(out, 0, parsed);
  return out;
}

// ---- codec internals used by ace.ts and security-descriptor.ts ----

/** Decodes a binary SID at `offset`; fails if it does not fit in the reader's window. */
export function decodeSid(reader: ByteReader, offset: number, field: string): { sid: string; size: number } {
  const revision = reader.u8(offset, `${field}.Revision`);
  if (revision !== SID_REVISION) {
    throw new SecurityDescriptorError(
      `SID revision ${revision}, expected ${SID_REVISION}`,
      `${field}.Revision`,
      offset,
    );
  }
  const count = reader.u8(offset + 1, `${field}.SubAuthorityCount`);
  if (count > SID_MAX_SUB_AUTHORITIES) {
    throw new SecurityDescriptorError(
      `${count} sub-authorities, at most ${SID_MAX_SUB_AUTHORITIES} allowed`,
      `${field}.SubAuthorityCount`,
      offset + 1,
    );
  }
  const size = SID_HEADER_SIZE + 4 * count;
  reader.require(offset, size, `${field}.SubAuthority`);
  const b = reader.bytes;
  const high = (b[offset + 2] << 8) | b[offset + 3];
  const low = ((b[offset + 4] << 24) >>> 0) + ((b[offset + 5] << 16) | (b[offset + 6] << 8) | b[offset + 7]);
  let sid = 'S-1-' + formatAuthority(high * TWO_32 + low);
  for (let i = 0, p = offset + SID_HEADER_SIZE; i < count; i++, p += 4) {
    sid += '-' + ((b[p] | (b[p + 1] << 8) | (b[p + 2] << 16)) + b[p + 3] * 0x1000000);
  }
  return { sid, size };
}

/** Byte length of a SID string's binary form; the string is validated when it is written. */
export function sidByteLength(sid: string): number {
  let dashes = 0;
  for (let i = 0; i < sid.length; i++) if (sid.charCodeAt(i) === 0x2d) dashes++;
  return SID_HEADER_SIZE + 4 * Math.max(0, dashes - 2);
}

/** Writes a SID string at `offset`; returns the byte count. Throws SecurityDescriptorError if invalid. */
export function writeSid(out: Uint8Array, offset: number, sid: string, field: string): number {
  const parsed = tryParseSid(sid);
  if (typeof parsed === 'string') {
    throw new SecurityDescriptorError(`cannot encode SID "${String(sid)}": ${parsed}`, field, offset);
  }
  return writeParsedSid(out, offset, parsed);
}

function writeParsedSid(out: Uint8Array, offset: number, sid: Sid): number {
  const authority = sid.identifierAuthority;
  const high = Math.floor(authority / TWO_32);
  const low = authority % TWO_32;
  out[offset] = SID_REVISION;
  out[offset + 1] = sid.subAuthorities.length;
  out[offset + 2] = (high >>> 8) & 0xff;
  out[offset + 3] = high & 0xff;
  out[offset + 4] = (low >>> 24) & 0xff;
  out[offset + 5] = (low >>> 16) & 0xff;
  out[offset + 6] = (low >>> 8) & 0xff;
  out[offset + 7] = low & 0xff;
  let p = offset + SID_HEADER_SIZE;
  for (const sub of sid.subAuthorities) {
    writeU32(out, p, sub);
    p += 4;
  }
  return p - offset;
}

function formatAuthority(authority: number): string {
  if (authority < TWO_32) return String(authority);
  return '0x' + authority.toString(16).padStart(12, '0');
}

/** Returns the parsed SID, or a string saying why the text is not one. */
function tryParseSid(text: string): Sid | string {
  if (typeof text !== 'string') return 'not a string';
  if (!/^[Ss]-1-/.test(text)) return 'must start with "S-1-"';
  const parts = text.slice(4).split('-');
  const authorityText = parts[0];
  let identifierAuthority: number;
  if (/^0[xX]/.test(authorityText)) {
    if (!/^0[xX][0-9a-fA-F]{12}$/.test(authorityText)) return 'a hex identifier authority needs exactly 12 hex digits';
    identifierAuthority = parseInt(authorityText.slice(2), 16);
  } else {
    const value = parseDecimal32(authorityText);
    if (value === undefined) return `identifier authority "${authorityText}" is not a decimal number below 2^32`;
    identifierAuthority = value;
  }
  const subCount = parts.length - 1;
  if (subCount > SID_MAX_SUB_AUTHORITIES)
    return `${subCount} sub-authorities, at most ${SID_MAX_SUB_AUTHORITIES} allowed`;
  const subAuthorities: number[] = new Array(subCount);
  for (let i = 0; i < subCount; i++) {
    const value = parseDecimal32(parts[i + 1]);
    if (value === undefined) return `sub-authority "${parts[i + 1]}" is not a decimal number below 2^32`;
    subAuthorities[i] = value;
  }
  return { revision: SID_REVISION, identifierAuthority, subAuthorities };
}

/** Decimal digits, no sign, no leading zero, below 2^32. */
function parseDecimal32(text: string): number | undefined {
  if (text.length === 0 || text.length > 10) return undefined;
  if (text.length > 1 && text.charCodeAt(0) === 0x30) return undefined;
  let value = 0;
  for (let i = 0; i < text.length; i++) {
    const digit = text.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return undefined;
    value = value * 10 + digit;
  }
  return value < TWO_32 ? value : undefined;
}

// GUID packet representation, [MS-DTYP] 2.3.4.2: Data1 (4 bytes), Data2 and Data3 (2 bytes each) are
// little-endian, Data4 (8 bytes) is kept in order. Text form per 2.3.4.3, lower case.

import { ByteReader } from './byte-reader';
import { SecurityDescriptorError } from './errors';

export const GUID_SIZE = 16;

/** Byte positions, in packet order, of the hex pairs in "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx". */
const TEXT_ORDER = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const GUID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export function isGuidString(text: string): boolean {
  return typeof text === 'string' && GUID_PATTERN.test(text);
}

export function decodeGuid(reader: ByteReader, offset: number, field: string): string {
  reader.require(offset, GUID_SIZE, field);
  const b = reader.bytes;
  let text = '';
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) text += '-';
    text += HEX[b[offset + TEXT_ORDER[i]]];
  }
  return text;
}

export function writeGuid(out: Uint8Array, offset: number, guid: string, field: string): void {
  if (!isGuidString(guid)) throw new SecurityDescriptorError(`cannot encode GUID "${String(guid)}"`, field, offset);
  const hex = guid.replace(/-/g, '');
  for (let i = 0; i < 16; i++) out[offset + TEXT_ORDER[i]] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
}

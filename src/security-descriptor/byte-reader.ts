// Bounds-checked little-endian reads over a window [start, end) of a buffer. Every read names the
// field it is for, so a truncated or out-of-range structure fails with a SecurityDescriptorError
// instead of a RangeError, an undefined byte, or a silently wrong number.

import { SecurityDescriptorError } from './errors';

export class ByteReader {
  constructor(
    readonly bytes: Uint8Array,
    readonly start: number = 0,
    readonly end: number = bytes.length,
  ) {}

  /** Fails unless `length` bytes starting at `offset` lie inside the window. */
  require(offset: number, length: number, field: string): void {
    if (offset < this.start || length < 0 || offset + length > this.end) {
      throw new SecurityDescriptorError(
        `needs ${length} byte(s) but the ${this.end === this.bytes.length ? 'buffer' : 'enclosing structure'} ends at ${this.end}`,
        field,
        offset,
      );
    }
  }

  u8(offset: number, field: string): number {
    this.require(offset, 1, field);
    return this.bytes[offset];
  }

  u16(offset: number, field: string): number {
    this.require(offset, 2, field);
    const b = this.bytes;
    return b[offset] | (b[offset + 1] << 8);
  }

  u32(offset: number, field: string): number {
    this.require(offset, 4, field);
    const b = this.bytes;
    return (b[offset] | (b[offset + 1] << 8) | (b[offset + 2] << 16)) + b[offset + 3] * 0x1000000;
  }

  /** A plain Uint8Array copy (never a Buffer), so the decoded model never aliases the caller's buffer. */
  slice(offset: number, length: number, field: string): Uint8Array {
    this.require(offset, length, field);
    return new Uint8Array(this.bytes.subarray(offset, offset + length));
  }

  /** A reader over a sub-window; reads outside it fail even if the buffer continues. */
  window(offset: number, length: number, field: string): ByteReader {
    this.require(offset, length, field);
    return new ByteReader(this.bytes, offset, offset + length);
  }
}

export function writeU16(out: Uint8Array, offset: number, value: number): void {
  out[offset] = value & 0xff;
  out[offset + 1] = (value >>> 8) & 0xff;
}

export function writeU32(out: Uint8Array, offset: number, value: number): void {
  out[offset] = value & 0xff;
  out[offset + 1] = (value >>> 8) & 0xff;
  out[offset + 2] = (value >>> 16) & 0xff;
  out[offset + 3] = (value >>> 24) & 0xff;
}

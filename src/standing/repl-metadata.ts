// replPropertyMetaData ([MS-DRSR] 5.172 REPLPROPERTYMETADATA_BLOB, version 1): for every attribute of
// an object, when its last originating change happened. whenChanged is object-wide (a computer's
// password change every 30 days moves it); this says when the RBCD attribute itself was last written.
// Pure, bounds-checked.

/**
 * ATTRTYP of msDS-AllowedToActOnBehalfOfOtherIdentity, 1.2.840.113556.1.4.2182: the prefix
 * 1.2.840.113556.1.4 is index 9 of the default prefix table ([MS-DRSR] 5.16.4), so 0x0009_0886.
 */
export const RBCD_ATTRTYP = (9 << 16) | 2182;

/** Seconds between 1601-01-01 (DSTIME epoch) and 1970-01-01. */
const DSTIME_TO_UNIX_SECONDS = 11_644_473_600;
const HEADER = 16;
const ENTRY = 48;

export interface AttributeMetadata {
  attrtyp: number;
  version: number;
  changedAt: Date;
}

/** Every entry of the blob; empty when it is absent or does not decode (never throws). */
export function parseReplMetadata(blob: Buffer | null | undefined): AttributeMetadata[] {
  if (!blob || blob.length < HEADER || blob.readUInt32LE(0) !== 1) return [];
  const count = blob.readUInt32LE(8);
  if (HEADER + count * ENTRY > blob.length) return [];
  const entries: AttributeMetadata[] = [];
  for (let i = 0; i < count; i++) {
    const at = HEADER + i * ENTRY;
    const seconds = Number(blob.readBigInt64LE(at + 8));
    entries.push({
      attrtyp: blob.readUInt32LE(at),
      version: blob.readUInt32LE(at + 4),
      changedAt: new Date((seconds - DSTIME_TO_UNIX_SECONDS) * 1000),
    });
  }
  return entries;
}

/** When the RBCD attribute was last written (any DC), or undefined when the metadata does not say. */
export function rbcdChangedAt(blob: Buffer | null | undefined): Date | undefined {
  return parseReplMetadata(blob).find((e) => e.attrtyp === RBCD_ATTRTYP)?.changedAt;
}

import { parseReplMetadata, RBCD_ATTRTYP, rbcdChangedAt } from './repl-metadata';

/** A REPLPROPERTYMETADATA_BLOB with these (attrtyp, seconds since 1601) entries. */
function blob(entries: [number, bigint][]): Buffer {
  const out = Buffer.alloc(16 + entries.length * 48);
  out.writeUInt32LE(1, 0);
  out.writeUInt32LE(entries.length, 8);
  entries.forEach(([attrtyp, seconds], i) => {
    out.writeUInt32LE(attrtyp, 16 + i * 48);
    out.writeUInt32LE(3, 16 + i * 48 + 4);
    out.writeBigInt64LE(seconds, 16 + i * 48 + 8);
  });
  return out;
}

const UNIX_2026 = 1_795_000_000; // 2026-11-18
const dstime = (unix: number) => BigInt(unix + 11_644_473_600);

describe('replPropertyMetaData', () => {
  it('reads the RBCD attribute’s last change (ATTRTYP 0x90886, as Samba 4.22 writes it)', () => {
    expect(RBCD_ATTRTYP).toBe(0x90886);
    const value = blob([
      [0, dstime(UNIX_2026 - 100)],
      [RBCD_ATTRTYP, dstime(UNIX_2026)],
    ]);
    expect(rbcdChangedAt(value)?.toISOString()).toBe(new Date(UNIX_2026 * 1000).toISOString());
    expect(parseReplMetadata(value)).toHaveLength(2);
  });

  it('says nothing (never throws) for an absent attribute, a truncated blob or another version', () => {
    expect(rbcdChangedAt(blob([[0, dstime(UNIX_2026)]]))).toBeUndefined();
    expect(rbcdChangedAt(undefined)).toBeUndefined();
    expect(parseReplMetadata(blob([[RBCD_ATTRTYP, dstime(UNIX_2026)]]).subarray(0, 40))).toEqual([]);
    const v2 = blob([[RBCD_ATTRTYP, dstime(UNIX_2026)]]);
    v2.writeUInt32LE(2, 0);
    expect(parseReplMetadata(v2)).toEqual([]);
    expect(parseReplMetadata(Buffer.alloc(3))).toEqual([]);
  });
});

import { gainedWriters, recordedWriters } from './writer-baseline.repository';
import type { Writer } from './writers.service';

const writer = (sid: string, rights: Writer['rights'], extra: Partial<Writer> = {}): Writer => ({
  sid,
  samAccountName: sid,
  dn: null,
  domain: null,
  resolved: true,
  rights,
  via: 'ace',
  class: 'other',
  ...extra,
});

describe('writer baselines (WRITER_ADDED compares with them)', () => {
  const before = recordedWriters([
    writer('S-1-5-21-1-2-3-1126', ['WriteProperty']),
    writer('S-1-5-21-1-2-3-512', ['GenericAll'], { class: 'tier0' }),
    writer('S-1-5-10', ['WriteProperty'], { class: 'self' }),
  ]);

  it('records only the writers outside Tier 0', () => {
    expect(before).toEqual([{ sid: 'S-1-5-21-1-2-3-1126', via: 'ace', rights: ['WriteProperty'] }]);
  });

  it('a writer that was there is not gained; a new trustee is', () => {
    const now = [writer('S-1-5-21-1-2-3-1126', ['WriteProperty']), writer('S-1-5-21-1-2-3-1200', ['WriteDacl'])];
    expect(gainedWriters(before, now).map((w) => w.sid)).toEqual(['S-1-5-21-1-2-3-1200']);
  });

  it('the same trustee with a new right, or through ownership, is gained', () => {
    expect(gainedWriters(before, [writer('S-1-5-21-1-2-3-1126', ['WriteProperty', 'WriteDacl'])])).toHaveLength(1);
    expect(gainedWriters(before, [writer('S-1-5-21-1-2-3-1126', ['WriteDacl'], { via: 'owner' })])).toHaveLength(1);
  });

  it('a Tier 0 writer that leaves Tier 0 is gained; Tier 0 and SELF writers never are', () => {
    expect(gainedWriters(before, [writer('S-1-5-21-1-2-3-512', ['GenericAll'])])).toHaveLength(1);
    expect(
      gainedWriters(
        [],
        [
          writer('S-1-5-21-1-2-3-512', ['GenericAll'], { class: 'tier0' }),
          writer('S-1-5-10', ['WriteProperty'], { class: 'self' }),
          writer('S-1-5-21-1-2-3-1105', ['WriteProperty'], { class: 'service' }),
        ],
      ),
    ).toEqual([]);
  });
});

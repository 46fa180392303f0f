import { standingOrigin } from './standing-origin';

const SID = 'S-1-5-21-1-2-3-1104';
const since = new Date('2026-12-01T08:00:00.000Z');
const at = (iso: string) => new Date(iso);

describe('standingOrigin', () => {
  it('preExisting when the attribute last changed before the service’s record began', () => {
    const v = standingOrigin({
      principalSid: SID,
      changedAt: at('2026-11-30T12:00:00Z'),
      changedAtSource: 'attributeMetadata',
      serviceSince: since,
      writes: [],
    });
    expect(v.origin).toBe('preExisting');
  });

  it('outOfBand when it changed afterwards and not through the service (same second counts as after)', () => {
    for (const changed of ['2026-12-01T09:00:00Z', '2026-12-01T08:00:00Z']) {
      const v = standingOrigin({
        principalSid: SID,
        changedAt: at(changed),
        changedAtSource: 'attributeMetadata',
        serviceSince: since,
        writes: [],
      });
      expect(v.origin).toBe('outOfBand');
      expect(v.reason).toMatch(/behind its back/);
    }
  });

  it('preExisting when carried through the service’s own writes; outOfBand when it appeared between them', () => {
    const writes = [
      {
        inForceBefore: [SID],
        createdAt: '2026-12-01T09:00:00.000Z',
        finishedAt: '2026-12-01T09:00:01.000Z',
        state: 'done' as const,
      },
      {
        inForceBefore: [SID],
        createdAt: '2026-12-01T10:00:00.000Z',
        finishedAt: '2026-12-01T10:00:01.000Z',
        state: 'done' as const,
      },
    ];
    const base = { principalSid: SID, changedAtSource: 'attributeMetadata' as const, serviceSince: since };
    expect(standingOrigin({ ...base, changedAt: at('2026-12-01T10:00:01Z'), writes }).origin).toBe('preExisting');
    // Changed after the service's last write: someone else wrote since.
    expect(standingOrigin({ ...base, changedAt: at('2026-12-01T11:00:00Z'), writes }).origin).toBe('outOfBand');
    // Not in force at the service's first write: it appeared later, not through the service.
    const later = [{ ...writes[0], inForceBefore: [] }, writes[1]];
    expect(standingOrigin({ ...base, changedAt: at('2026-12-01T10:00:01Z'), writes: later }).origin).toBe('outOfBand');
  });

  it('outOfBand when nothing says when it changed; preExisting before the service recorded anything', () => {
    expect(
      standingOrigin({ principalSid: SID, changedAtSource: 'unknown', serviceSince: since, writes: [] }).origin,
    ).toBe('outOfBand');
    expect(
      standingOrigin({ principalSid: SID, changedAtSource: 'unknown', serviceSince: null, writes: [] }).origin,
    ).toBe('preExisting');
  });
});

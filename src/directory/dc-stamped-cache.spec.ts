import { DcStampedCache } from './dc-stamped-cache';

describe('DcStampedCache', () => {
  const at = (usn: string, dc = 'CN=NTDS Settings,CN=DC1') => ({ dc, usn });

  it('answers only for the very stamp the value was read at', () => {
    const cache = new DcStampedCache<string>(10, 60_000);
    cache.set('a', at('100'), 'value');
    expect(cache.get('a', at('100'))).toBe('value');
    // The DC committed something since (any object): not an answer for the new stamp.
    expect(cache.get('a', at('101'))).toBeUndefined();
  });

  it('never answers with what another DC said', () => {
    const cache = new DcStampedCache<string>(10, 60_000);
    cache.set('a', at('100', 'CN=NTDS Settings,CN=DC1'), 'value');
    expect(cache.get('a', at('100', 'CN=NTDS Settings,CN=DC2'))).toBeUndefined();
  });

  it('forgets the oldest entries beyond its bound, and anything older than its maximum age', () => {
    let now = 0;
    const cache = new DcStampedCache<number>(2, 1_000, () => now);
    cache.set('a', at('1'), 1);
    cache.set('b', at('1'), 2);
    cache.set('c', at('1'), 3);
    expect(cache.size).toBe(2);
    expect(cache.get('a', at('1'))).toBeUndefined();
    expect(cache.get('c', at('1'))).toBe(3);
    now = 1_001;
    expect(cache.get('c', at('1'))).toBeUndefined();
  });

  it('keeps nothing when it has no room (off)', () => {
    const cache = new DcStampedCache<number>(0, 1_000);
    cache.set('a', at('1'), 1);
    expect(cache.enabled).toBe(false);
    expect(cache.get('a', at('1'))).toBeUndefined();
  });
});

describe('DcStampedCache: answers checked again', () => {
  const at = (usn: string, dc = 'CN=NTDS Settings,CN=DC1') => ({ dc, usn });

  it('offers an answer of an earlier stamp of the same DC for checking, and keeps it at the new stamp once checked', () => {
    let now = 0;
    const cache = new DcStampedCache<string>(10, 1_000, () => now);
    cache.set('a', at('100'), 'value');
    expect(cache.keptEarlier('a', at('105'))).toBe('value');
    expect(cache.keptEarlier('a', at('105', 'CN=NTDS Settings,CN=DC2'))).toBeUndefined();
    cache.restamp('a', at('105'));
    expect(cache.get('a', at('105'))).toBe('value');
    // Checked or not, an answer is never older than the ceiling, counted from its search.
    now = 1_001;
    expect(cache.keptEarlier('a', at('106'))).toBeUndefined();
    expect(cache.get('a', at('105'))).toBeUndefined();
  });
});

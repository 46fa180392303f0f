import { DomainError } from '../../common/errors/domain-error';
import { readStartsAt } from './schedule';

const NOW = new Date('2026-12-01T08:00:00Z');
const DAY = 86_400_000;

describe('readStartsAt', () => {
  it('starts on approval without startsAt, or with one that is now', () => {
    expect(readStartsAt(undefined, 'grant', NOW, DAY)).toEqual({ startsAt: null, reasons: [] });
    expect(readStartsAt('2026-12-01T08:00:03Z', 'grant', NOW, DAY).startsAt).toBeNull();
  });

  it('schedules a start ahead, within maxLeadTime (and refuses one beyond it, naming the limit)', () => {
    expect(readStartsAt('2026-12-01T22:00:00Z', 'grant', NOW, DAY)).toEqual({
      startsAt: new Date('2026-12-01T22:00:00Z'),
      reasons: [],
    });
    const far = readStartsAt('2026-12-02T08:00:01Z', 'grant', NOW, DAY);
    expect(far.reasons[0]).toMatch(/maxLeadTime of 1 day\(s\).*2026-12-02T08:00:00.000Z/);
  });

  it('refuses a start in the past, a date that is none, and a scheduled revoke', () => {
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return (error as DomainError).code;
      }
      return 'none';
    };
    expect(code(() => readStartsAt('2026-12-01T07:00:00Z', 'grant', NOW, DAY))).toBe('VALIDATION_FAILED');
    expect(code(() => readStartsAt('tomorrow', 'grant', NOW, DAY))).toBe('VALIDATION_FAILED');
    expect(code(() => readStartsAt('2026-12-01T22:00:00Z', 'revoke', NOW, DAY))).toBe('VALIDATION_FAILED');
    expect(code(() => readStartsAt('2026-12-01T22:00:00Z', 'grant', NOW, DAY))).toBe('none');
  });
});

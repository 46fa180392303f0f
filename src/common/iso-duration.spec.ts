import { parseIsoDuration } from './iso-duration';

describe('parseIsoDuration', () => {
  it('reads weeks, days, hours, minutes and seconds', () => {
    expect(parseIsoDuration('P30D')).toBe(30 * 86_400_000);
    expect(parseIsoDuration('PT12H')).toBe(12 * 3_600_000);
    expect(parseIsoDuration('P1DT30M')).toBe(86_400_000 + 30 * 60_000);
    expect(parseIsoDuration('PT90S')).toBe(90_000);
    expect(parseIsoDuration('PT1.5S')).toBe(1500);
    expect(parseIsoDuration('P2W')).toBe(2 * 604_800_000);
    expect(parseIsoDuration(' pt8h ')).toBe(8 * 3_600_000);
  });

  it('refuses years, months, empty parts, zero and anything else (and keeps refusing when asked again)', () => {
    for (const text of ['P1Y', 'P1M', 'P', 'PT', 'P1DT', 'PT0S', '8h', '', 'P-1D']) {
      expect(parseIsoDuration(text)).toBeUndefined();
      expect(parseIsoDuration(text)).toBeUndefined();
    }
  });

  it('answers the same after many distinct inputs (the kept answers are bounded, not wrong)', () => {
    for (let i = 1; i <= 1000; i++) expect(parseIsoDuration(`PT${i}S`)).toBe(i * 1000);
    expect(parseIsoDuration('PT1S')).toBe(1000);
    expect(parseIsoDuration('P1Y')).toBeUndefined();
  });

  it('a long text is parsed, not kept', () => {
    const long = `PT${'0'.repeat(100)}90S`;
    expect(parseIsoDuration(long)).toBe(90_000);
    expect(parseIsoDuration(`P${'x'.repeat(10_000)}`)).toBeUndefined();
  });
});

import { MAX_BODY_DEPTH, nestedDeeperThan } from './body-depth';

function nested(levels: number, leaf: unknown = 1): unknown {
  let value: unknown = leaf;
  for (let i = 0; i < levels; i++) value = i % 2 ? [value] : { x: value };
  return value;
}

describe('nestedDeeperThan', () => {
  it('accepts scalars, flat bodies and exactly the limit', () => {
    expect(nestedDeeperThan('x', 1)).toBe(false);
    expect(nestedDeeperThan(null, 1)).toBe(false);
    expect(nestedDeeperThan({ a: 1, b: [1, 2] }, 2)).toBe(false);
    expect(nestedDeeperThan(nested(MAX_BODY_DEPTH), MAX_BODY_DEPTH)).toBe(false);
  });

  it('refuses one level past the limit, in objects or arrays, wherever it hides', () => {
    expect(nestedDeeperThan(nested(MAX_BODY_DEPTH + 1), MAX_BODY_DEPTH)).toBe(true);
    expect(nestedDeeperThan({ ok: 1, list: [1, 2, { deep: nested(MAX_BODY_DEPTH) }] }, MAX_BODY_DEPTH)).toBe(true);
  });

  it('walks 100,000 levels without recursion (no stack overflow)', () => {
    expect(nestedDeeperThan(nested(100_000), MAX_BODY_DEPTH)).toBe(true);
  });
});

import { allInOrder } from './all-in-order';

const later = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));
const failLater = (ms: number, message: string) =>
  new Promise<never>((_, reject) => setTimeout(() => reject(new Error(message)), ms));

describe('allInOrder', () => {
  it('returns every value in argument order (positive control)', async () => {
    await expect(allInOrder([later(5, 'a'), later(1, 2), Promise.resolve(true)] as const)).resolves.toEqual([
      'a',
      2,
      true,
    ]);
  });

  it('throws the first failure in argument order, not the first in time', async () => {
    await expect(allInOrder([failLater(10, 'first argument'), failLater(1, 'second argument')])).rejects.toThrow(
      'first argument',
    );
  });

  it('waits for the others to settle before throwing', async () => {
    let finished = false;
    const slow = later(15, 'x').then((v) => ((finished = true), v));
    await expect(allInOrder([Promise.reject(new Error('at once')), slow])).rejects.toThrow('at once');
    expect(finished).toBe(true);
  });
});

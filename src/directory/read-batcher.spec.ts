import { ReadBatcher } from './read-batcher';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('ReadBatcher', () => {
  it('answers what is asked in the same tick with one batch, each caller its own result', async () => {
    const batches: number[][] = [];
    const batcher = new ReadBatcher<number, number>(
      async (items) => (batches.push(items), items.map((i) => i * 10)),
      50,
      2,
    );
    const answers = await Promise.all([1, 2, 3].map((i) => batcher.load(i)));
    expect(answers).toEqual([10, 20, 30]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('splits at maxBatch and holds the rest while maxInFlight batches are out; they join the next batch', async () => {
    const batches: number[][] = [];
    const release: (() => void)[] = [];
    const batcher = new ReadBatcher<number, number>(
      (items) => new Promise((resolve) => (batches.push(items), release.push(() => resolve(items)))),
      2,
      1,
    );
    const all = [1, 2, 3, 4, 5].map((i) => batcher.load(i));
    await tick();
    expect(batches).toEqual([[1, 2]]);
    const late = batcher.load(6);
    release.shift()?.();
    await tick();
    await tick();
    expect(batches).toEqual([
      [1, 2],
      [3, 4],
    ]);
    release.shift()?.();
    await tick();
    await tick();
    expect(batches[2]).toEqual([5, 6]);
    release.shift()?.();
    expect(await Promise.all([...all, late])).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('an item asked while a batch is out is never answered by that batch (it was sent before the caller asked)', async () => {
    let sent = 0;
    const release: (() => void)[] = [];
    const batcher = new ReadBatcher<string, number>(
      (items) =>
        new Promise((resolve) => {
          const at = ++sent;
          release.push(() => resolve(items.map(() => at)));
        }),
      50,
      4,
    );
    const first = batcher.load('x');
    await tick();
    const second = batcher.load('x'); // same question, after the first was sent
    await tick();
    release.forEach((r) => r());
    expect([await first, await second]).toEqual([1, 2]);
  });

  it('rejects every caller of a failed batch, and keeps serving', async () => {
    let fail = true;
    const batcher = new ReadBatcher<number, number>(
      async (items) => {
        if (fail) throw new Error('DC down');
        return items;
      },
      50,
      1,
    );
    await expect(Promise.all([batcher.load(1), batcher.load(2)])).rejects.toThrow('DC down');
    fail = false;
    expect(await batcher.load(3)).toBe(3);
  });
});

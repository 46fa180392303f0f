import { account, rbcdValue } from '../directory/testing/accounts';
import type { DelegationView } from './delegation.types';
import { KeptViews } from './kept-views';

const serverb = account('SERVERB', 1103);

/** A target as one directory answer hands it: these very Buffers. */
function answer(rbcd: Buffer | null, securityDescriptor: Buffer | null) {
  return { ...account('SERVERC', 1104), rbcd, securityDescriptor };
}

/** A build that counts its calls. */
function builder() {
  const built = { count: 0 };
  const build = async (): Promise<DelegationView> => {
    built.count++;
    return {
      target: account('SERVERC', 1104),
      raw: String(built.count),
      principals: [],
      sddl: null,
      warnings: [],
      writers: [],
    };
  };
  return { built, build };
}

describe('KeptViews', () => {
  const value = rbcdValue(serverb.sid);
  const descriptor = Buffer.from('descriptor bytes');

  it('reads of the very same answer get one view, built once (also when they arrive together), frozen', async () => {
    const views = new KeptViews();
    const { built, build } = builder();
    const first = answer(value, descriptor);
    // Other callers' copies of the same kept answer: new objects, the same Buffers.
    const [a, b] = await Promise.all([views.viewOf(first, build), views.viewOf({ ...first }, build)]);
    const c = await views.viewOf({ ...first }, build);
    expect(b).toBe(a);
    expect(c).toBe(a);
    expect(built.count).toBe(1);
    expect(Object.isFrozen(a)).toBe(true);
  });

  it('a new answer (new Buffers: the target was read again) gets a new view, even with equal bytes', async () => {
    const views = new KeptViews();
    const { built, build } = builder();
    const a = await views.viewOf(answer(value, descriptor), build);
    const b = await views.viewOf(answer(Buffer.from(value), Buffer.from(descriptor)), build);
    expect(b).not.toBe(a);
    expect(built.count).toBe(2);
  });

  it('a value that changed beside an unchanged descriptor Buffer gets a new view', async () => {
    const views = new KeptViews();
    const { built, build } = builder();
    await views.viewOf(answer(value, descriptor), build);
    await views.viewOf(answer(rbcdValue(serverb.sid, 'S-1-5-11'), descriptor), build);
    await views.viewOf(answer(null, descriptor), build);
    expect(built.count).toBe(3);
  });

  it('is built again after the ceiling, however often it is read', async () => {
    let now = 0;
    const views = new KeptViews(1_000, () => now);
    const { built, build } = builder();
    const target = answer(value, descriptor);
    await views.viewOf(target, build);
    now = 1_000;
    await views.viewOf(target, build);
    expect(built.count).toBe(1);
    now = 1_001;
    await views.viewOf(target, build);
    expect(built.count).toBe(2);
  });

  it('keys on the value when the descriptor was not read, and keeps nothing without either', async () => {
    const views = new KeptViews();
    const { built, build } = builder();
    const valueOnly = answer(value, null);
    await views.viewOf(valueOnly, build);
    await views.viewOf(valueOnly, build);
    expect(built.count).toBe(1);
    const neither = answer(null, null);
    const unkept = await views.viewOf(neither, build);
    await views.viewOf(neither, build);
    expect(built.count).toBe(3);
    expect(Object.isFrozen(unkept)).toBe(false);
  });

  it('a build that fails is not kept: the next read builds again', async () => {
    const views = new KeptViews();
    const target = answer(value, descriptor);
    await expect(views.viewOf(target, () => Promise.reject(new Error('DC down')))).rejects.toThrow('DC down');
    const { built, build } = builder();
    await views.viewOf(target, build);
    expect(built.count).toBe(1);
  });
});

import { serializeAnswer, shareAnswer } from './shared-answers';

describe('shared answers', () => {
  it('serializes exactly as JSON.stringify, shared or not', () => {
    const plain = { a: 1, b: [null, 'x'], c: { d: true } };
    expect(serializeAnswer(plain)).toBe(JSON.stringify(plain));
    expect(serializeAnswer(shareAnswer({ ...plain }))).toBe(JSON.stringify(plain));
    for (const value of [null, 'text', 3, [1, 2]]) expect(serializeAnswer(value)).toBe(JSON.stringify(value));
  });

  it('a shared answer is serialized once however many replies carry it; others every time', () => {
    let reads = 0;
    const counted = () => ({
      get n() {
        reads++;
        return reads;
      },
    });
    const shared = shareAnswer(counted());
    expect([serializeAnswer(shared), serializeAnswer(shared), serializeAnswer(shared)]).toEqual([
      '{"n":1}',
      '{"n":1}',
      '{"n":1}',
    ]);
    expect(reads).toBe(1);
    // Positive control: an answer that is not shared is serialized for every reply.
    const own = counted();
    serializeAnswer(own);
    serializeAnswer(own);
    expect(reads).toBe(3);
  });

  it('a shared answer is frozen: nobody changes what others were handed', () => {
    const shared = shareAnswer({ status: 'applied' }) as { status: string };
    expect(() => {
      shared.status = 'revoked';
    }).toThrow(TypeError);
  });
});

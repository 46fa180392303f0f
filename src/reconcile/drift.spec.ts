import { AceFlag, accessAllowedAce, createRbcdDescriptor, encodeSecurityDescriptor } from '../security-descriptor';
import { findDrift } from './drift';

const A = 'S-1-5-21-1004336348-1177238915-682003330-1101';
const B = 'S-1-5-21-1004336348-1177238915-682003330-1102';
const C = 'S-1-5-21-1004336348-1177238915-682003330-1103';

type Ace = ReturnType<typeof accessAllowedAce>;

/** An RBCD value for these SIDs, or with exactly these ACEs. */
function value(sids: string[], aces?: Ace[]): Buffer {
  const sd = createRbcdDescriptor(sids);
  return encodeSecurityDescriptor(aces && sd.dacl ? { ...sd, dacl: { ...sd.dacl, aces } } : sd);
}

describe('findDrift', () => {
  it('finds nothing when every active grant is in force and every ACE is known', () => {
    expect(findDrift({ raw: value([A, B]), activeSids: [A], knownSids: [A, B] })).toEqual([]);
  });

  it('reports an active grant whose ACE is gone, also when the attribute is empty', () => {
    expect(findDrift({ raw: value([B]), activeSids: [A.toLowerCase()], knownSids: [A, B] })).toEqual([
      { kind: 'missing-ace', sid: A, message: expect.stringContaining('removed outside the service') },
    ]);
    expect(findDrift({ raw: null, activeSids: [A, B], knownSids: [A, B] }).map((f) => [f.kind, f.sid])).toEqual([
      ['missing-ace', A],
      ['missing-ace', B],
    ]);
  });

  it('reports an effective ACE for a principal that never had a grant on the target', () => {
    expect(findDrift({ raw: value([A, C]), activeSids: [A], knownSids: [A] })).toEqual([
      { kind: 'unexpected-ace', sid: C, message: expect.stringContaining('added outside the service') },
    ]);
  });

  it('reports ineffective masks: a granted principal whose ACE the KDC ignores, and any other such ACE', () => {
    const raw = value(
      [],
      [
        accessAllowedAce(A, 0x10000000),
        accessAllowedAce(B, 0x000f01ff),
        accessAllowedAce(C, 0x000f01ff, AceFlag.INHERIT_ONLY),
      ],
    );
    const found = findDrift({ raw, activeSids: [A, B], knownSids: [A, B] });
    expect(found.map((f) => [f.kind, f.sid])).toEqual([
      ['ineffective-mask', A],
      ['ineffective-mask', C],
    ]);
    expect(found[0].message).toContain('0x10000000');
    expect(found[0].message).toContain('not in force');
  });

  it('does not report an ineffective ACE next to an effective one for the same principal', () => {
    const raw = value([], [accessAllowedAce(A, 0x10000000), accessAllowedAce(A, 0x000f01ff)]);
    expect(findDrift({ raw, activeSids: [A], knownSids: [A] })).toEqual([]);
  });

  it('reports an undecodable value once, and nothing else', () => {
    const found = findDrift({ raw: Buffer.from('not a security descriptor'), activeSids: [A, B], knownSids: [A, B] });
    expect(found).toEqual([
      { kind: 'undecodable', message: expect.stringContaining('2 active grant(s) cannot be checked') },
    ]);
  });
});

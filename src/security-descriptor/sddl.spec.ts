import vectors from '../../test/fixtures/security-descriptors.json';
import { Acl } from './acl';
import { SecurityDescriptor, decodeSecurityDescriptor } from './security-descriptor';
import { toSddl } from './sddl';

const P1102 = 'S-1-5-21-1544822996-929305224-3231428034-1102';
const P1105 = 'S-1-5-21-1544822996-929305224-3231428034-1105';
const EMPTY = new Uint8Array(0);

const decoded = (name: string) =>
  decodeSecurityDescriptor(Buffer.from(vectors.valid.find((v) => v.name === name)!.base64, 'base64'));
const dacl = (aces: Acl['aces']): Acl => ({ revision: 4, sbz1: 0, sbz2: 0, aces, freeSpace: EMPTY });
const descriptor = (patch: Partial<SecurityDescriptor>): SecurityDescriptor => ({
  revision: 1,
  sbz1: 0,
  control: 0x8004,
  owner: 'S-1-5-32-544',
  group: null,
  sacl: null,
  dacl: dacl([]),
  layout: ['owner', 'dacl'],
  ...patch,
});

describe('toSddl ([MS-DTYP] 2.5.1)', () => {
  it.each([
    ['samba-tool-one-principal', 'O:BAD:(A;;0xf01ff;;;S-1-5-21-3380422353-1244287392-2247175365-1102)'],
    ['samba-tool-two-principals', `O:BAD:(A;;0xf01ff;;;${P1102})(A;;0xf01ff;;;${P1105})`],
    ['samba-tool-empty-dacl', 'O:BAD:'],
    ['impacket-layout-dacl-first', `O:BAD:(A;;0xf01ff;;;${P1102})`],
    ['generic-all-mask', `O:BAD:(A;;0x10000000;;;${P1102})`],
    ['deny-and-allow', `O:BAD:(D;;0xf01ff;;;${P1105})(A;;0xf01ff;;;${P1102})`],
    [
      'object-ace-kept',
      `O:BAD:(OA;;0x100;3f78c3e5-f79a-46bd-a0b8-9d18116ddc79;;S-1-5-21-1111111111-2222222222-3333333333-4242)(A;;0xf01ff;;;${P1102})`,
    ],
    ['group-and-empty-sacl', `O:BAG:SYD:(A;;0xf01ff;;;${P1102})S:`],
    ['inherited-flags', `O:BAD:(A;ID;0xf01ff;;;${P1102})`],
  ])('%s -> %s', (name, sddl) => {
    expect(toSddl(decoded(name))).toBe(sddl);
  });

  it('renders a NULL DACL as NO_ACCESS_CONTROL and omits a DACL that is absent and not flagged present', () => {
    expect(toSddl(descriptor({ dacl: null }))).toBe('O:BAD:NO_ACCESS_CONTROL');
    expect(toSddl(descriptor({ dacl: null, control: 0x8000, owner: null }))).toBe('');
  });

  it('renders DACL control flags, ACE flags (unknown bits in hex) and aliases in ACEs', () => {
    const sd = descriptor({
      control: 0x8004 | 0x1000 | 0x0400,
      dacl: dacl([
        { kind: 'access', type: 0, flags: 0x1b, mask: 0x100, sid: 'S-1-1-0', trailing: EMPTY },
        { kind: 'access', type: 1, flags: 0x20, mask: 0xf01ff, sid: 'S-1-5-18', trailing: EMPTY },
      ]),
    });
    expect(toSddl(sd)).toBe('O:BAD:PAI(A;OICIIOID;0x100;;;WD)(D;0x20;0xf01ff;;;SY)');
  });

  it('renders object ACEs with both GUIDs and an object deny', () => {
    const sd = descriptor({
      dacl: dacl([
        {
          kind: 'object',
          type: 6,
          flags: 0,
          mask: 0x100,
          objectFlags: 3,
          objectType: '3f78c3e5-f79a-46bd-a0b8-9d18116ddc79',
          inheritedObjectType: 'bf967a86-0de6-11d0-a285-00aa003049e2',
          sid: P1102,
          trailing: EMPTY,
        },
      ]),
    });
    expect(toSddl(sd)).toBe(
      `O:BAD:(OD;;0x100;3f78c3e5-f79a-46bd-a0b8-9d18116ddc79;bf967a86-0de6-11d0-a285-00aa003049e2;${P1102})`,
    );
  });

  it('renders unknown ACE types by number, with mask and SID when the body has that layout', () => {
    const callbackBody = new Uint8Array([
      0x00,
      0x01,
      0x00,
      0x00,
      ...Buffer.from('010100000000000512000000', 'hex'),
      0x61,
      0x72,
      0x74,
      0x78,
    ]);
    const sd = descriptor({
      dacl: dacl([
        { kind: 'raw', type: 0x09, flags: 0, body: callbackBody },
        { kind: 'raw', type: 0x11, flags: 0, body: new Uint8Array([1, 0, 0, 0]) },
        { kind: 'raw', type: 0x42, flags: 0x10, body: new Uint8Array(8) },
      ]),
    });
    expect(toSddl(sd)).toBe('O:BAD:(0x9;;0x100;;;SY)(0x11;;;;;)(0x42;ID;;;;)');
  });
});

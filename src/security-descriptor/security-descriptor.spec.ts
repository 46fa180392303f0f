import vectors from '../../test/fixtures/security-descriptors.json';
import { AccessAce, ObjectAce, RawAce } from './ace';
import { SecurityDescriptorError } from './errors';
import {
  SecurityDescriptor,
  SdControl,
  decodeSecurityDescriptor,
  encodeSecurityDescriptor,
} from './security-descriptor';
import { sidToBytes } from './sid';

const OWNER = 'S-1-5-32-544';
const ALICE = 'S-1-5-21-1544822996-929305224-3231428034-1102';

// ---- little byte builders, so each malformed case below reads as the structure it breaks ----
const hex = (...parts: (string | Buffer)[]) =>
  parts.map((p) => (typeof p === 'string' ? p : p.toString('hex'))).join('');
const u16 = (n: number) => Buffer.from([n & 0xff, n >>> 8]).toString('hex');
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b.toString('hex');
};
const sid = (text: string) => sidToBytes(text).toString('hex');
const ace = (type: number, flags: number, body: string) =>
  hex(u16(type | (flags << 8)), u16(4 + body.length / 2), body);
const acl = (revision: number, aces: string[], extra = '') =>
  hex(u16(revision), u16(8 + aces.join('').length / 2 + extra.length / 2), u16(aces.length), '0000', ...aces, extra);
/** Self-relative descriptor with the parts written in the order given. */
function sd(parts: ['owner' | 'group' | 'sacl' | 'dacl', string][], control = 0x8004): Buffer {
  const offsets = { owner: 0, group: 0, sacl: 0, dacl: 0 };
  let at = 20;
  for (const [name, bytes] of parts) {
    offsets[name] = at;
    at += bytes.length / 2;
  }
  return Buffer.from(
    hex(
      '01',
      '00',
      u16(control),
      u32(offsets.owner),
      u32(offsets.group),
      u32(offsets.sacl),
      u32(offsets.dacl),
      ...parts.map((p) => p[1]),
    ),
    'hex',
  );
}
const allow = (who: string, mask = 0xf01ff, flags = 0) => ace(0, flags, hex(u32(mask), sid(who)));

function expectError(bytes: Uint8Array, field: string | RegExp): SecurityDescriptorError {
  let caught: unknown;
  try {
    decodeSecurityDescriptor(bytes);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(SecurityDescriptorError);
  const error = caught as SecurityDescriptorError;
  expect(error.code).toBe('INVALID_SECURITY_DESCRIPTOR');
  expect(error.field).toMatch(field);
  expect(error.message).toContain(`at byte offset ${error.offset}`);
  return error;
}

/** Same shape as the vectors' expect.aces. */
function describeAces(model: SecurityDescriptor) {
  return (model.dacl?.aces ?? []).map((a) => {
    if (a.kind === 'raw') return { type: a.type };
    return {
      aceType: a.type === 0 ? 'allow' : a.type === 1 ? 'deny' : a.type,
      type: a.type,
      flags: a.flags,
      mask: a.mask,
      sid: a.sid,
      ...(a.kind === 'object' && a.objectType !== undefined && { objectType: a.objectType }),
    };
  });
}

describe('security descriptor codec ([MS-DTYP] 2.4.6)', () => {
  describe('golden vectors', () => {
    it.each(vectors.valid.map((v) => [v.name, v] as const))(
      '%s decodes to the expected meaning and re-encodes byte for byte',
      (_name, vector) => {
        const bytes = Buffer.from(vector.base64, 'base64');
        const model = decodeSecurityDescriptor(bytes);
        expect(model.owner).toBe(vector.expect.owner);
        expect(model.group).toBe(vector.expect.group);
        expect(model.dacl?.revision).toBe(vector.expect.daclRevision);
        expect(describeAces(model)).toEqual(vector.expect.aces);
        expect(encodeSecurityDescriptor(model).toString('base64')).toBe(vector.base64);
      },
    );

    it.each(vectors.invalid.map((v) => [v.name, v] as const))(
      '%s is rejected with a SecurityDescriptorError',
      (_name, vector) => {
        expectError(Buffer.from(vector.base64, 'base64'), /\w/);
      },
    );

    it('covers every vector in the fixture', () => {
      expect(vectors.valid.length).toBeGreaterThanOrEqual(10);
      expect(vectors.invalid.length).toBeGreaterThanOrEqual(8);
    });

    it('records the layout: samba-tool owner first, impacket DACL first', () => {
      const byName = Object.fromEntries(
        vectors.valid.map((v) => [v.name, decodeSecurityDescriptor(Buffer.from(v.base64, 'base64'))]),
      );
      expect(byName['samba-tool-one-principal'].layout).toEqual(['owner', 'dacl']);
      expect(byName['impacket-layout-dacl-first'].layout).toEqual(['dacl', 'owner']);
      expect(byName['group-and-empty-sacl'].layout).toEqual(['owner', 'group', 'sacl', 'dacl']);
      expect(byName['group-and-empty-sacl'].sacl).toEqual({
        revision: 2,
        sbz1: 0,
        sbz2: 0,
        aces: [],
        freeSpace: new Uint8Array(0),
      });
    });

    it('names the field and offset of each invalid vector', () => {
      const fields = Object.fromEntries(
        vectors.invalid.map((v) => {
          const error = expectError(Buffer.from(v.base64, 'base64'), /\w/);
          return [v.name, `${error.field}@${error.offset}`];
        }),
      );
      expect(fields).toEqual({
        'truncated-header': 'SecurityDescriptor@12',
        'truncated-ace': 'Dacl.AclSize@36',
        'dacl-offset-out-of-range': 'OffsetDacl@16',
        'ace-count-too-high': 'Dacl.AceCount@40',
        'sid-too-many-subauthorities': 'Owner.SubAuthorityCount@21',
        'bad-revision': 'Revision@0',
        'ace-size-smaller-than-header': 'Dacl.Ace[0].AceSize@46',
        empty: 'SecurityDescriptor@0',
      });
    });
  });

  describe('kept byte for byte', () => {
    it('keeps an unknown ACE type (callback ACE with application data) as raw bytes', () => {
      const callback = ace(0x09, 0x00, hex(u32(0x100), sid(ALICE), '61727478', '01000000'));
      const label = ace(0x11, 0x00, hex(u32(1), sid('S-1-16-12288')));
      const bytes = sd([
        ['owner', sid(OWNER)],
        ['dacl', acl(4, [callback, allow(ALICE), label])],
      ]);
      const model = decodeSecurityDescriptor(bytes);
      const raw = model.dacl?.aces[0] as RawAce;
      expect(raw.kind).toBe('raw');
      expect(raw.type).toBe(9);
      expect(Buffer.from(raw.body).toString('hex')).toBe(callback.slice(8));
      expect(model.dacl?.aces[2]).toMatchObject({ kind: 'raw', type: 0x11 });
      expect(encodeSecurityDescriptor(model).equals(bytes)).toBe(true);
    });

    it('keeps bytes inside AceSize after the SID', () => {
      const bytes = sd([
        ['owner', sid(OWNER)],
        ['dacl', acl(4, [ace(0, 0, hex(u32(0xf01ff), sid(ALICE), 'deadbeef'))])],
      ]);
      const model = decodeSecurityDescriptor(bytes);
      expect(Buffer.from((model.dacl?.aces[0] as AccessAce).trailing).toString('hex')).toBe('deadbeef');
      expect(encodeSecurityDescriptor(model).equals(bytes)).toBe(true);
    });

    it('keeps free space after the last ACE inside AclSize', () => {
      const bytes = sd([
        ['dacl', acl(4, [allow(ALICE)], '0000000011223344')],
        ['owner', sid(OWNER)],
      ]);
      const model = decodeSecurityDescriptor(bytes);
      expect(Buffer.from(model.dacl!.freeSpace).toString('hex')).toBe('0000000011223344');
      expect(encodeSecurityDescriptor(model).equals(bytes)).toBe(true);
    });

    it('decodes object ACEs with both GUIDs, only the inherited one, or none, and keeps unknown Flags bits', () => {
      const typeGuid = 'e5c3783f9af7bd46a0b89d18116ddc79';
      const inheritedGuid = '14cc28bf3a9b4f4d8f7a6b1f3e2d1c0b';
      const both = ace(5, 0x02, hex(u32(0x100), u32(3), typeGuid, inheritedGuid, sid(ALICE)));
      const inheritedOnly = ace(6, 0x00, hex(u32(0x30), u32(2 | 0x80), inheritedGuid, sid(ALICE)));
      const none = ace(5, 0x00, hex(u32(0x100), u32(0), sid(ALICE)));
      const bytes = sd([
        ['owner', sid(OWNER)],
        ['dacl', acl(4, [both, inheritedOnly, none])],
      ]);
      const model = decodeSecurityDescriptor(bytes);
      const [a, b, c] = model.dacl!.aces as ObjectAce[];
      expect(a).toMatchObject({
        kind: 'object',
        type: 5,
        flags: 2,
        mask: 0x100,
        objectFlags: 3,
        objectType: '3f78c3e5-f79a-46bd-a0b8-9d18116ddc79',
        inheritedObjectType: 'bf28cc14-9b3a-4d4f-8f7a-6b1f3e2d1c0b',
        sid: ALICE,
      });
      expect(b).toMatchObject({
        type: 6,
        objectFlags: 0x82,
        inheritedObjectType: 'bf28cc14-9b3a-4d4f-8f7a-6b1f3e2d1c0b',
      });
      expect(b.objectType).toBeUndefined();
      expect(c.objectType).toBeUndefined();
      expect(c.inheritedObjectType).toBeUndefined();
      expect(encodeSecurityDescriptor(model).equals(bytes)).toBe(true);
    });

    it('keeps Sbz1, the ACL reserved fields and every control bit', () => {
      const bytes = Buffer.from(
        sd(
          [
            ['owner', sid(OWNER)],
            ['dacl', acl(4, [allow(ALICE)])],
          ],
          0x9c14,
        ),
      );
      bytes[1] = 0x07; // Sbz1 (resource-manager control)
      bytes[36 + 1] = 0x5a; // Dacl.Sbz1
      bytes[36 + 6] = 0x34; // Dacl.Sbz2
      const model = decodeSecurityDescriptor(bytes);
      expect(model).toMatchObject({ sbz1: 7, control: 0x9c14, dacl: { sbz1: 0x5a, sbz2: 0x34 } });
      expect(encodeSecurityDescriptor(model).equals(bytes)).toBe(true);
    });

    it('accepts a plain Uint8Array and never aliases the input', () => {
      const bytes = new Uint8Array(
        sd([
          ['owner', sid(OWNER)],
          ['dacl', acl(4, [ace(0, 0, hex(u32(0xf01ff), sid(ALICE), 'deadbeef'))])],
        ]),
      );
      const model = decodeSecurityDescriptor(bytes);
      bytes.fill(0);
      expect(Buffer.from((model.dacl?.aces[0] as AccessAce).trailing).toString('hex')).toBe('deadbeef');
    });
  });

  describe('structure', () => {
    it('reads a NULL DACL (SE_DACL_PRESENT, offset 0) and a descriptor without any component', () => {
      expect(decodeSecurityDescriptor(sd([['owner', sid(OWNER)]])).dacl).toBeNull();
      const bare = decodeSecurityDescriptor(sd([], 0x8000));
      expect(bare).toEqual({
        revision: 1,
        sbz1: 0,
        control: 0x8000,
        owner: null,
        group: null,
        sacl: null,
        dacl: null,
        layout: [],
      });
      expect(encodeSecurityDescriptor(bare).toString('hex')).toBe('0100008000000000000000000000000000000000');
    });

    it('accepts components that share bytes, and encodes them separately', () => {
      const bytes = Buffer.from(
        sd([
          ['owner', sid(OWNER)],
          ['dacl', acl(4, [allow(ALICE)])],
        ]),
      );
      bytes.writeUInt32LE(20, 8); // group = owner
      const model = decodeSecurityDescriptor(bytes);
      expect(model.group).toBe(OWNER);
      expect(model.layout).toEqual(['owner', 'group', 'dacl']);
      const encoded = encodeSecurityDescriptor(model);
      expect(encoded.readUInt32LE(8)).toBe(36);
      expect(decodeSecurityDescriptor(encoded)).toEqual(model);
    });

    it('drops gaps between components: they carry no meaning', () => {
      const owner = sid(OWNER);
      const bytes = Buffer.from(
        hex(
          '01000480',
          u32(24),
          u32(0),
          u32(0),
          u32(48),
          '00000000',
          owner,
          '0000000000000000',
          acl(4, [allow(ALICE)]),
        ),
        'hex',
      );
      const model = decodeSecurityDescriptor(bytes);
      expect(encodeSecurityDescriptor(model).toString('base64')).toBe(
        encodeSecurityDescriptor({ ...model, layout: ['owner', 'dacl'] }).toString('base64'),
      );
      expect(encodeSecurityDescriptor(model).length).toBe(bytes.length - 12);
    });
  });

  describe('rejects malformed input, naming field and offset', () => {
    const good = () =>
      sd([
        ['owner', sid(OWNER)],
        ['dacl', acl(4, [allow(ALICE)])],
      ]);

    it('a descriptor that is not self-relative', () => {
      expectError(sd([['owner', sid(OWNER)]], 0x0004), 'Control');
    });

    it.each([4, 8, 12, 16])('an offset pointing into the header (field at %i)', (at) => {
      const bytes = good();
      bytes.writeUInt32LE(8, at);
      expectError(bytes, /^Offset/);
    });

    it('an offset at the very end of the buffer', () => {
      const bytes = good();
      bytes.writeUInt32LE(bytes.length, 16);
      expectError(bytes, 'OffsetDacl');
    });

    it.each([0, 1, 5])('ACL revision %i', (revision) => {
      const bytes = good();
      bytes[36] = revision;
      expectError(bytes, 'Dacl.AclRevision');
    });

    it('but accepts ACL revision 3, as Windows does (MIN_ACL_REVISION 2 to MAX_ACL_REVISION 4)', () => {
      const bytes = good();
      bytes[36] = 3;
      expect(decodeSecurityDescriptor(bytes).dacl?.revision).toBe(3);
    });

    it('AclSize below the header or not a multiple of 4', () => {
      const bytes = good();
      bytes.writeUInt16LE(4, 38);
      expectError(bytes, 'Dacl.AclSize');
      bytes.writeUInt16LE(42, 38);
      expectError(bytes, 'Dacl.AclSize');
    });

    it('AceSize not a multiple of 4', () => {
      const bytes = good();
      bytes.writeUInt16LE(34, 46);
      expectError(bytes, 'Dacl.Ace[0].AceSize');
    });

    it('AceSize beyond the ACL', () => {
      const bytes = good();
      bytes.writeUInt16LE(40, 46);
      expectError(bytes, 'Dacl.Ace[0].AceSize');
    });

    it('a SID that does not fit in its ACE', () => {
      expectError(
        sd([['dacl', acl(4, [ace(0, 0, hex(u32(0xf01ff), '0105000000000005'))])]]),
        'Dacl.Ace[0].Sid.SubAuthority',
      );
      expectError(sd([['dacl', acl(4, [ace(0, 0, u32(0xf01ff))])]]), 'Dacl.Ace[0].Sid.Revision');
    });

    it('an object ACE whose GUID does not fit', () => {
      expectError(
        sd([['dacl', acl(4, [ace(5, 0, hex(u32(0x100), u32(1), '00'.repeat(12)))])]]),
        'Dacl.Ace[0].ObjectType',
      );
    });

    it('an owner SID with revision 2 or running past the buffer', () => {
      const bytes = good();
      bytes[20] = 2;
      expectError(bytes, 'Owner.Revision');
      expectError(sd([['owner', sid(OWNER)]]).subarray(0, 30), 'Owner.SubAuthority');
    });

    it('AceCount 65535 over a short ACL, quickly', () => {
      const bytes = good();
      bytes.writeUInt16LE(0xffff, 40);
      expectError(bytes, 'Dacl.AceCount');
    });

    it('anything that is not a byte array', () => {
      expectError('AQAEgA==' as unknown as Uint8Array, 'SecurityDescriptor');
      expectError(null as unknown as Uint8Array, 'SecurityDescriptor');
    });
  });

  describe('encoding a model', () => {
    const base: SecurityDescriptor = {
      revision: 1,
      sbz1: 0,
      control: 0x0004,
      owner: OWNER,
      group: null,
      sacl: null,
      dacl: {
        revision: 4,
        sbz1: 0,
        sbz2: 0,
        aces: [{ kind: 'access', type: 0, flags: 0, mask: 0xf01ff, sid: ALICE, trailing: new Uint8Array(0) }],
        freeSpace: new Uint8Array(0),
      },
      layout: [],
    };

    it('always sets SE_SELF_RELATIVE and writes present parts missing from the layout in canonical order', () => {
      const bytes = encodeSecurityDescriptor(base);
      expect(bytes.readUInt16LE(2)).toBe(SdControl.SE_SELF_RELATIVE | SdControl.SE_DACL_PRESENT);
      expect(bytes.readUInt32LE(4)).toBe(20);
      expect(bytes.readUInt32LE(16)).toBe(36);
    });

    it('pads a raw ACE body and trailing bytes to 4', () => {
      const model: SecurityDescriptor = {
        ...base,
        dacl: { ...base.dacl!, aces: [{ kind: 'raw', type: 0x42, flags: 0, body: new Uint8Array([1, 2, 3]) }] },
      };
      const bytes = encodeSecurityDescriptor(model);
      expect(bytes.subarray(36).toString('hex')).toBe('0400100001000000' + '42000800' + '01020300');
      const again = decodeSecurityDescriptor(bytes);
      expect(encodeSecurityDescriptor(again).equals(bytes)).toBe(true);
    });

    it('recomputes AclSize, AceSize and offsets after a change', () => {
      const model = decodeSecurityDescriptor(Buffer.from(vectors.valid[3].base64, 'base64')); // impacket: DACL first
      const changed: SecurityDescriptor = { ...model, dacl: { ...model.dacl!, aces: [] } };
      const bytes = encodeSecurityDescriptor(changed);
      expect(bytes.readUInt32LE(16)).toBe(20);
      expect(bytes.readUInt16LE(22)).toBe(8);
      expect(bytes.readUInt32LE(4)).toBe(28);
      expect(decodeSecurityDescriptor(bytes)).toEqual({ ...changed, layout: ['dacl', 'owner'] });
    });

    it.each([
      ['an invalid SID', { owner: 'S-1-5-x' }, 'Owner'],
      [
        'a mask beyond 32 bits',
        { dacl: { ...base.dacl!, aces: [{ ...(base.dacl!.aces[0] as AccessAce), mask: 2 ** 32 }] } },
        'Dacl.Ace[0].Mask',
      ],
      [
        'a bad GUID',
        {
          dacl: {
            ...base.dacl!,
            aces: [
              {
                kind: 'object',
                type: 5,
                flags: 0,
                mask: 0x100,
                objectFlags: 1,
                objectType: 'nope',
                sid: ALICE,
                trailing: new Uint8Array(0),
              },
            ],
          },
        },
        'Dacl.Ace[0].ObjectType',
      ],
      ['a control above 16 bits', { control: 0x10000 }, 'Control'],
    ] as const)('refuses %s with a SecurityDescriptorError', (_what, patch, field) => {
      expect(() => encodeSecurityDescriptor({ ...base, ...(patch as Partial<SecurityDescriptor>) })).toThrow(
        expect.objectContaining({ code: 'INVALID_SECURITY_DESCRIPTOR', field }),
      );
    });

    it('refuses an ACL larger than AclSize can say', () => {
      const many = Array.from({ length: 2000 }, (_, i) => ({
        ...(base.dacl!.aces[0] as AccessAce),
        sid: `S-1-5-21-1-2-3-${i}`,
      }));
      expect(() => encodeSecurityDescriptor({ ...base, dacl: { ...base.dacl!, aces: many } })).toThrow(
        expect.objectContaining({ field: 'Dacl.AclSize' }),
      );
    });
  });
});

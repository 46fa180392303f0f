import vectors from '../../test/fixtures/security-descriptors.json';
import { AccessAce, Ace } from './ace';
import { InvalidSidError } from './errors';
import {
  addPrincipals,
  createRbcdDescriptor,
  isEffectiveAllowAce,
  kdcDecision,
  listPrincipals,
  removeAllAllowAces,
  removePrincipals,
} from './rbcd';
import { SecurityDescriptor, decodeSecurityDescriptor, encodeSecurityDescriptor } from './security-descriptor';

const P1102 = 'S-1-5-21-1544822996-929305224-3231428034-1102';
const P1105 = 'S-1-5-21-1544822996-929305224-3231428034-1105';
const P4242 = 'S-1-5-21-1111111111-2222222222-3333333333-4242';
const NEW = 'S-1-5-21-1544822996-929305224-3231428034-2001';

const vector = (name: string) => vectors.valid.find((v) => v.name === name)!;
const bytesOf = (name: string) => Buffer.from(vector(name).base64, 'base64');
const decoded = (name: string) => decodeSecurityDescriptor(bytesOf(name));
const hex = (sd: SecurityDescriptor) => encodeSecurityDescriptor(sd).toString('hex');
const codes = (sd: SecurityDescriptor) => listPrincipals(sd).warnings.map((w) => w.code);

describe('RBCD operations', () => {
  describe('createRbcdDescriptor', () => {
    it('writes exactly what samba-tool writes for one principal', () => {
      const sd = createRbcdDescriptor(['S-1-5-21-3380422353-1244287392-2247175365-1102']);
      expect(encodeSecurityDescriptor(sd).toString('base64')).toBe(vector('samba-tool-one-principal').base64);
    });

    it('writes exactly what samba-tool writes for two principals, once each', () => {
      expect(encodeSecurityDescriptor(createRbcdDescriptor([P1102, P1105, P1102])).toString('base64')).toBe(
        vector('samba-tool-two-principals').base64,
      );
    });

    it('writes the empty DACL samba-tool leaves behind for no principal', () => {
      expect(encodeSecurityDescriptor(createRbcdDescriptor([])).toString('base64')).toBe(
        vector('samba-tool-empty-dacl').base64,
      );
    });

    it('means the same as the impacket layout', () => {
      expect(listPrincipals(createRbcdDescriptor([P1102]))).toEqual(
        listPrincipals(decoded('impacket-layout-dacl-first')),
      );
    });

    it('refuses a malformed SID', () => {
      expect(() => createRbcdDescriptor(['S-1-5-21-x'])).toThrow(InvalidSidError);
    });
  });

  describe('addPrincipals', () => {
    it('adds nothing, and returns the same object, when an effective allow ACE exists', () => {
      const sd = decoded('samba-tool-two-principals');
      const result = addPrincipals(sd, [P1105, 's-1-5-21-1544822996-929305224-3231428034-1102']);
      expect(result.added).toEqual([]);
      expect(result.descriptor).toBe(sd);
    });

    it('appends one 0xF01FF ACE per new SID and keeps every existing byte', () => {
      const original = bytesOf('samba-tool-two-principals');
      const { descriptor, added } = addPrincipals(decodeSecurityDescriptor(original), [NEW, P1102, NEW]);
      expect(added).toEqual([NEW]);
      const encoded = encodeSecurityDescriptor(descriptor);
      // Header, owner and DACL header up to AclSize, then the two old ACEs unchanged, then the new one.
      expect(encoded.subarray(0, 38)).toEqual(original.subarray(0, 38));
      expect(encoded.subarray(44, original.length)).toEqual(original.subarray(44));
      expect(encoded.readUInt16LE(38)).toBe(0x50 + 0x24);
      expect(encoded.readUInt16LE(40)).toBe(3);
      expect(encoded.subarray(original.length)).toEqual(
        encodeSecurityDescriptor(createRbcdDescriptor([NEW])).subarray(44),
      );
    });

    it('keeps the impacket layout (DACL first) and the owner bytes', () => {
      const { descriptor } = addPrincipals(decoded('impacket-layout-dacl-first'), [NEW]);
      expect(descriptor.layout).toEqual(['dacl', 'owner']);
      const encoded = encodeSecurityDescriptor(descriptor);
      expect(encoded.readUInt32LE(16)).toBe(20);
      expect(encoded.subarray(encoded.readUInt32LE(4)).toString('hex')).toBe('01020000000000052000000020020000');
    });

    it('does not count a GENERIC_ALL ACE as effective: it appends a real one and keeps the old', () => {
      const { descriptor, added } = addPrincipals(decoded('generic-all-mask'), [P1102]);
      expect(added).toEqual([P1102]);
      expect(descriptor.dacl!.aces.map((a) => (a as AccessAce).mask)).toEqual([0x10000000, 0xf01ff]);
      expect(listPrincipals(descriptor).principals.map((p) => p.effective)).toEqual([false, true]);
    });

    it('does not count an object ACE restricted to an object type, nor an inherit-only ACE', () => {
      expect(addPrincipals(decoded('object-ace-kept'), [P4242]).added).toEqual([P4242]);
      const inheritOnly = createRbcdDescriptor([]);
      const withIo: SecurityDescriptor = {
        ...inheritOnly,
        dacl: {
          ...inheritOnly.dacl!,
          aces: [{ ...(createRbcdDescriptor([P1102]).dacl!.aces[0] as AccessAce), flags: 0x08 }],
        },
      };
      expect(addPrincipals(withIo, [P1102]).added).toEqual([P1102]);
    });

    it('does not count an object allow ACE (type 5) as effective, even without an ObjectType: the KDC ignores it', () => {
      const sd = createRbcdDescriptor([]);
      const objectAce: Ace = {
        kind: 'object',
        type: 5,
        flags: 0,
        mask: 0xf01ff,
        objectFlags: 0,
        sid: P1102,
        trailing: new Uint8Array(0),
      };
      expect(addPrincipals({ ...sd, dacl: { ...sd.dacl!, aces: [objectAce] } }, [P1102]).added).toEqual([P1102]);
    });

    it('raises DACL revision 2 to 4', () => {
      const { descriptor } = addPrincipals(decoded('acl-revision-2'), [NEW]);
      expect(descriptor.dacl!.revision).toBe(4);
    });

    it('creates a DACL (and sets SE_DACL_PRESENT) when there is none, after the existing parts', () => {
      const noDacl: SecurityDescriptor = {
        ...decoded('group-and-empty-sacl'),
        dacl: null,
        control: 0x8010,
        layout: ['owner', 'group', 'sacl'],
      };
      const { descriptor, added } = addPrincipals(noDacl, [P1102]);
      expect(added).toEqual([P1102]);
      expect(descriptor.control).toBe(0x8014);
      expect(hex(descriptor)).toBe(hex(decoded('group-and-empty-sacl')));
    });

    it('does not mutate its input', () => {
      const sd = decoded('deny-and-allow');
      const before = hex(sd);
      addPrincipals(sd, [NEW]);
      removePrincipals(sd, [P1102]);
      expect(hex(sd)).toBe(before);
    });

    it('refuses a malformed SID before changing anything', () => {
      expect(() => addPrincipals(decoded('samba-tool-one-principal'), [NEW, 'SERVERB$'])).toThrow(InvalidSidError);
    });
  });

  describe('removePrincipals', () => {
    it('removing the last principal leaves the empty DACL samba-tool leaves', () => {
      const { descriptor, removed } = removePrincipals(decoded('samba-tool-one-principal'), [
        'S-1-5-21-3380422353-1244287392-2247175365-1102',
      ]);
      expect(removed).toEqual(['S-1-5-21-3380422353-1244287392-2247175365-1102']);
      expect(encodeSecurityDescriptor(descriptor).toString('base64')).toBe(vector('samba-tool-empty-dacl').base64);
    });

    it('removes one of two and keeps the other byte for byte', () => {
      const { descriptor } = removePrincipals(decoded('samba-tool-two-principals'), [P1102]);
      expect(hex(descriptor)).toBe(hex(createRbcdDescriptor([P1105])));
    });

    it('removes ineffective allow ACEs too (any mask, any flags)', () => {
      expect(removePrincipals(decoded('generic-all-mask'), [P1102]).descriptor.dacl!.aces).toEqual([]);
      expect(removePrincipals(decoded('inherited-flags'), [P1102]).descriptor.dacl!.aces).toEqual([]);
    });

    it('leaves deny and object ACEs alone', () => {
      const deny = decoded('deny-and-allow');
      const result = removePrincipals(deny, [P1105]);
      expect(result).toEqual({ descriptor: deny, removed: [] });
      const object = removePrincipals(decoded('object-ace-kept'), [P4242, P1102]);
      expect(object.removed).toEqual([P1102]);
      expect(object.descriptor.dacl!.aces).toEqual([decoded('object-ace-kept').dacl!.aces[0]]);
    });

    it('is a no-op without a DACL or for an absent SID', () => {
      const sd = decoded('samba-tool-one-principal');
      expect(removePrincipals(sd, [NEW]).descriptor).toBe(sd);
      const none = { ...sd, dacl: null };
      expect(removePrincipals(none, [NEW])).toEqual({ descriptor: none, removed: [] });
    });
  });

  describe('listPrincipals', () => {
    it.each(vectors.valid.map((v) => [v.name, v] as const))('%s lists the vector ACEs in order', (_name, v) => {
      const { principals } = listPrincipals(decodeSecurityDescriptor(Buffer.from(v.base64, 'base64')));
      expect(
        principals.map((p) => ({
          aceType: p.aceType,
          type: p.aceTypeCode,
          flags: p.flags,
          mask: p.accessMask,
          sid: p.sid,
          ...(p.objectType && { objectType: p.objectType }),
        })),
      ).toEqual(v.expect.aces);
    });

    it.each([
      ['samba-tool-one-principal', [], [true]],
      ['samba-tool-empty-dacl', ['EMPTY_DACL'], []],
      ['generic-all-mask', ['INEFFECTIVE_MASK'], [false]],
      ['deny-and-allow', ['DENY_ACE'], [false, true]],
      ['object-ace-kept', ['OBJECT_ACE'], [false, true]],
      ['inherited-flags', [], [true]],
      ['acl-revision-2', [], [true]],
    ])('%s warns %j and marks effective %j', (name, warnings, effective) => {
      const listed = listPrincipals(decoded(name));
      expect(listed.warnings.map((w) => w.code)).toEqual(warnings);
      expect(listed.principals.map((p) => p.effective)).toEqual(effective);
    });

    it('names the SID in per-ACE warnings', () => {
      expect(listPrincipals(decoded('generic-all-mask')).warnings[0]).toMatchObject({
        code: 'INEFFECTIVE_MASK',
        sid: P1102,
        message: expect.stringContaining('0x10000000'),
      });
    });

    it('warns NO_DACL without a DACL, and DACL_NOT_PRESENT when the control flag is missing', () => {
      expect(codes({ ...decoded('samba-tool-one-principal'), dacl: null })).toEqual(['NO_DACL']);
      expect(codes({ ...decoded('samba-tool-one-principal'), control: 0x8000 })).toEqual(['DACL_NOT_PRESENT']);
    });

    it('warns about unknown ACE types and lists their SID when readable, never as effective', () => {
      const sd = createRbcdDescriptor([]);
      const body = Buffer.from('00010000' + '010100000000000512000000', 'hex');
      const listed = listPrincipals({
        ...sd,
        dacl: {
          ...sd.dacl!,
          aces: [
            { kind: 'raw', type: 9, flags: 0, body },
            { kind: 'raw', type: 0x42, flags: 0, body },
          ],
        },
      });
      expect(listed.warnings.map((w) => w.code)).toEqual(['UNKNOWN_ACE_TYPE', 'UNKNOWN_ACE_TYPE']);
      expect(listed.principals).toEqual([
        {
          sid: 'S-1-5-18',
          accessMask: 0x100,
          aceType: 9,
          aceTypeCode: 9,
          flags: 0,
          effective: false,
          ineffective: 'UNKNOWN_ACE_TYPE',
        },
      ]);
    });

    it('warns INHERIT_ONLY_ACE for an inherit-only allow ACE', () => {
      const sd = createRbcdDescriptor([P1102]);
      const ace = { ...(sd.dacl!.aces[0] as AccessAce), flags: 0x08 };
      expect(codes({ ...sd, dacl: { ...sd.dacl!, aces: [ace] } })).toEqual(['INHERIT_ONLY_ACE']);
      expect(isEffectiveAllowAce(ace)).toBe(false);
    });
  });

  describe('the KDC rule (checked on the sandbox KDC with hand-written values)', () => {
    const ace = (sid: string, type: 0 | 1 | 5 | 6, mask = 0xf01ff, flags = 0): Ace =>
      type === 0 || type === 1
        ? { kind: 'access', type, flags, mask, sid, trailing: new Uint8Array(0) }
        : { kind: 'object', type, flags, mask, objectFlags: 0, sid, trailing: new Uint8Array(0) };
    const sdOf = (...aces: Ace[]): SecurityDescriptor => {
      const sd = createRbcdDescriptor([]);
      return { ...sd, dacl: { ...sd.dacl!, aces } };
    };
    const token =
      (...sids: string[]) =>
      (sid: string) =>
        sids.includes(sid);

    it.each([
      ['type 0 with 0xf01ff', [ace(P1102, 0)], true],
      ['type 5 (object allow) without ObjectType', [ace(P1102, 5)], false],
      ['deny 0x100 before the allow', [ace(P1102, 1, 0x100), ace(P1102, 0)], false],
      ['deny 0x100 after the allow', [ace(P1102, 0), ace(P1102, 1, 0x100)], true],
      ['deny without 0x100 before the allow', [ace(P1102, 1, 0x10), ace(P1102, 0)], true],
      ['an object deny before the allow (ignored)', [ace(P1102, 6), ace(P1102, 0)], true],
      ['an inherit-only deny before the allow (ignored)', [ace(P1102, 1, 0x100, 0x08), ace(P1102, 0)], true],
      ['GENERIC_ALL only', [ace(P1102, 0, 0x10000000)], false],
      ['a deny for another SID, then the allow', [ace(P1105, 1), ace(P1102, 0)], true],
    ] as const)('%s: allowed %s', (_name, aces, allowed) => {
      expect(kdcDecision(sdOf(...aces), token(P1102)).allowed).toBe(allowed);
    });

    it('names the deciding ACE; a deny for a group the token holds decides too', () => {
      expect(kdcDecision(sdOf(ace(P1105, 1), ace(P1102, 0)), token(P1102, P1105))).toEqual({
        allowed: false,
        index: 0,
        sid: P1105,
      });
      expect(kdcDecision(sdOf(ace(P1105, 0)), token(P1102))).toEqual({ allowed: false });
    });

    it('lists an allow after a deny for the same SID (or Everyone) as not effective, with DENIED_EARLIER', () => {
      const listed = listPrincipals(sdOf(ace(P1102, 1, 0x100), ace(P1102, 0)));
      expect(listed.principals.map((p) => [p.effective, p.ineffective])).toEqual([
        [false, 'DENY_ACE'],
        [false, 'DENIED_EARLIER'],
      ]);
      expect(listed.warnings.map((w) => w.code)).toEqual(['DENY_ACE', 'DENIED_EARLIER']);
      const everyone = sdOf(ace('S-1-1-0', 1, 0x100), ace(P1102, 0));
      expect(listPrincipals(everyone).principals[1].effective).toBe(true);
      expect(listPrincipals(everyone, { everyTokenSids: ['S-1-1-0'] }).principals[1]).toMatchObject({
        effective: false,
        ineffective: 'DENIED_EARLIER',
      });
      expect(listPrincipals(sdOf(ace(P1102, 0), ace(P1102, 1, 0x100))).principals[0].effective).toBe(true);
    });

    it('lists an object allow ACE as not effective with OBJECT_ACE, with or without ObjectType', () => {
      const listed = listPrincipals(sdOf(ace(P1102, 5)));
      expect(listed.principals[0]).toMatchObject({ effective: false, ineffective: 'OBJECT_ACE' });
      expect(listed.warnings).toEqual([
        expect.objectContaining({
          code: 'OBJECT_ACE',
          sid: P1102,
          message: expect.stringContaining('the KDC ignores object ACEs'),
        }),
      ]);
    });

    it('removeAllAllowAces (explicit revoke) removes type 0 of any mask, object and callback allows; keeps denies and other SIDs', () => {
      const callback: Ace = {
        kind: 'raw',
        type: 9,
        flags: 0,
        body: Buffer.concat([Buffer.from('00010000', 'hex'), Buffer.from(sidBytes(P1102))]),
      };
      const sd = sdOf(
        ace(P1102, 1, 0x100),
        ace(P1102, 0),
        ace(P1102, 0, 0x10000000),
        ace(P1102, 5),
        callback,
        ace(P1105, 0),
        ace(P1102, 6),
      );
      const { descriptor, removed } = removeAllAllowAces(sd, [P1102]);
      expect(removed).toEqual([P1102]);
      expect(descriptor.dacl!.aces).toEqual([ace(P1102, 1, 0x100), ace(P1105, 0), ace(P1102, 6)]);
      expect(removeAllAllowAces(sd, [NEW])).toEqual({ descriptor: sd, removed: [] });
      // The end of a grant removes only the plain allow ACEs a grant writes.
      expect(removePrincipals(sd, [P1102]).descriptor.dacl!.aces).toEqual([
        ace(P1102, 1, 0x100),
        ace(P1102, 5),
        callback,
        ace(P1105, 0),
        ace(P1102, 6),
      ]);
    });
  });
});

function sidBytes(sid: string): Uint8Array {
  const parts = sid.split('-').slice(2).map(Number);
  const [authority, ...subs] = parts;
  const out = Buffer.alloc(8 + subs.length * 4);
  out[0] = 1;
  out[1] = subs.length;
  out.writeUIntBE(authority, 2, 6);
  subs.forEach((v, i) => out.writeUInt32LE(v, 8 + i * 4));
  return out;
}

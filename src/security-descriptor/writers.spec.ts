import type { Ace } from './ace';
import { AD_SCHEMA } from './ad-schema';
import { emptyAcl } from './acl';
import { decodeSecurityDescriptor, encodeSecurityDescriptor, type SecurityDescriptor } from './security-descriptor';
import { propertyWriters, type PropertyWriteSpec } from './writers';

const DOMAIN = 'S-1-5-21-1-2-3';
const HELPDESK = `${DOMAIN}-1601`;
const ALICE = `${DOMAIN}-1102`;
const DOMAIN_ADMINS = `${DOMAIN}-512`;
const OWNER = `${DOMAIN}-1700`;
const SELF = 'S-1-5-10';
const EMPTY = new Uint8Array(0);

const RBCD: PropertyWriteSpec = {
  objectClassGuid: AD_SCHEMA.computerClass,
  propertyGuids: [AD_SCHEMA.rbcdAttribute, AD_SCHEMA.accountRestrictions],
};
const MEMBERSHIP: PropertyWriteSpec = {
  objectClassGuid: AD_SCHEMA.groupClass,
  propertyGuids: [AD_SCHEMA.member, AD_SCHEMA.membership],
  validatedWriteGuids: [AD_SCHEMA.member],
};

const allow = (sid: string, mask: number, flags = 0): Ace => ({
  kind: 'access',
  type: 0,
  flags,
  mask,
  sid,
  trailing: EMPTY,
});
const deny = (sid: string, mask: number, flags = 0): Ace => ({
  kind: 'access',
  type: 1,
  flags,
  mask,
  sid,
  trailing: EMPTY,
});
const objectAce = (
  type: 5 | 6,
  sid: string,
  mask: number,
  objectType?: string,
  inheritedObjectType?: string,
  flags = 0,
): Ace => ({
  kind: 'object',
  type,
  flags,
  mask,
  objectFlags: 0,
  ...(objectType ? { objectType } : {}),
  ...(inheritedObjectType ? { inheritedObjectType } : {}),
  sid,
  trailing: EMPTY,
});
const oa = (sid: string, mask: number, objectType?: string, inheritedObjectType?: string, flags = 0) =>
  objectAce(5, sid, mask, objectType, inheritedObjectType, flags);
const od = (sid: string, mask: number, objectType?: string, inheritedObjectType?: string, flags = 0) =>
  objectAce(6, sid, mask, objectType, inheritedObjectType, flags);

function sd(aces: Ace[], owner: string | null = DOMAIN_ADMINS): SecurityDescriptor {
  // Through the codec and back: the engine reads what the decoder makes of real bytes.
  const model: SecurityDescriptor = {
    revision: 1,
    sbz1: 0,
    control: 0x8004,
    owner,
    group: null,
    sacl: null,
    dacl: { ...emptyAcl(4), aces },
    layout: owner ? ['owner', 'dacl'] : ['dacl'],
  };
  return decodeSecurityDescriptor(encodeSecurityDescriptor(model));
}
const WP = 0x20;
const INHERIT_ONLY = 0x08;
const INHERITED = 0x10;
const CONTAINER_INHERIT = 0x02;

describe('propertyWriters: who may write msDS-AllowedToActOnBehalfOfOtherIdentity', () => {
  it('the owner holds an implicit WRITE_DAC; the default SELF ACE (inherited from the domain root) writes the attribute', () => {
    const writers = propertyWriters(
      sd([oa(SELF, 0x30, AD_SCHEMA.rbcdAttribute, undefined, CONTAINER_INHERIT | INHERITED)], OWNER),
      RBCD,
    );
    expect(writers).toEqual([
      { sid: OWNER, rights: ['WriteDacl'], via: 'owner' },
      { sid: SELF, rights: ['WriteProperty'], via: 'ace' },
    ]);
  });

  it('WriteProperty on the attribute, on Account Restrictions, or with no ObjectType; never on another attribute', () => {
    const other = 'bf967950-0de6-11d0-a285-00aa003049e2'; // description
    const writers = propertyWriters(
      sd(
        [
          oa(HELPDESK, WP, AD_SCHEMA.accountRestrictions),
          oa(ALICE, WP, AD_SCHEMA.rbcdAttribute),
          allow(`${DOMAIN}-1800`, WP),
          oa(`${DOMAIN}-1801`, WP, other),
        ],
        null,
      ),
      RBCD,
    );
    expect(writers.map((w) => w.sid)).toEqual([HELPDESK, ALICE, `${DOMAIN}-1800`]);
    expect(writers.every((w) => w.rights.join() === 'WriteProperty')).toBe(true);
  });

  it('names GenericAll, GenericWrite, WriteDacl and WriteOwner as such', () => {
    const writers = propertyWriters(
      sd(
        [
          allow(`${DOMAIN}-1`, 0xf01ff),
          allow(`${DOMAIN}-2`, 0x20028),
          allow(`${DOMAIN}-3`, 0x40000),
          allow(`${DOMAIN}-4`, 0x80000),
          allow(`${DOMAIN}-5`, 0x10000000),
        ],
        null,
      ),
      RBCD,
    );
    expect(writers.map((w) => [w.sid.slice(-1), w.rights])).toEqual([
      ['1', ['GenericAll']],
      ['2', ['GenericWrite']],
      ['3', ['WriteDacl']],
      ['4', ['WriteOwner']],
      ['5', ['GenericAll']],
    ]);
  });

  it('reading rights alone (GenericRead, ReadProperty, control access) write nothing', () => {
    expect(
      propertyWriters(
        sd([allow(ALICE, 0x20094), allow(HELPDESK, 0x100), oa(`${DOMAIN}-9`, 0x10, AD_SCHEMA.rbcdAttribute)], null),
        RBCD,
      ),
    ).toEqual([]);
  });

  it('an INHERIT_ONLY ACE does not apply to the object it sits on (negative control: same ACE without the flag)', () => {
    expect(
      propertyWriters(
        sd([oa(ALICE, WP, AD_SCHEMA.rbcdAttribute, undefined, CONTAINER_INHERIT | INHERIT_ONLY)], null),
        RBCD,
      ),
    ).toEqual([]);
    expect(
      propertyWriters(sd([oa(ALICE, WP, AD_SCHEMA.rbcdAttribute, undefined, CONTAINER_INHERIT)], null), RBCD),
    ).toHaveLength(1);
  });

  it('an InheritedObjectType applies only when it is the object class', () => {
    expect(propertyWriters(sd([oa(ALICE, WP, AD_SCHEMA.rbcdAttribute, AD_SCHEMA.userClass)], null), RBCD)).toEqual([]);
    expect(propertyWriters(sd([oa(ALICE, WP, AD_SCHEMA.rbcdAttribute, AD_SCHEMA.computerClass)], null), RBCD)).toEqual([
      { sid: ALICE, rights: ['WriteProperty'], via: 'ace' },
    ]);
  });

  it('a deny that comes first takes the right away; a deny after the allow does not', () => {
    expect(
      propertyWriters(sd([od(ALICE, WP, AD_SCHEMA.rbcdAttribute), oa(ALICE, WP, AD_SCHEMA.rbcdAttribute)], null), RBCD),
    ).toEqual([]);
    expect(
      propertyWriters(sd([oa(ALICE, WP, AD_SCHEMA.rbcdAttribute), od(ALICE, WP, AD_SCHEMA.rbcdAttribute)], null), RBCD),
    ).toHaveLength(1);
    // A deny on the property set covers the attribute; a deny on another attribute does not.
    expect(propertyWriters(sd([od(ALICE, WP, AD_SCHEMA.accountRestrictions), allow(ALICE, WP)], null), RBCD)).toEqual(
      [],
    );
    expect(
      propertyWriters(sd([od(ALICE, WP, 'bf967950-0de6-11d0-a285-00aa003049e2'), allow(ALICE, WP)], null), RBCD),
    ).toHaveLength(1);
  });

  it('a deny of WriteProperty leaves GenericAll its WRITE_DAC and WRITE_OWNER', () => {
    expect(propertyWriters(sd([deny(ALICE, WP), allow(ALICE, 0xf01ff)], null), RBCD)).toEqual([
      { sid: ALICE, rights: ['GenericAll'], via: 'ace' },
    ]);
    expect(propertyWriters(sd([deny(ALICE, 0xf01ff), allow(ALICE, 0xf01ff)], null), RBCD)).toEqual([]);
  });

  it('a deny for Everyone that comes first covers every trustee', () => {
    expect(propertyWriters(sd([deny('S-1-1-0', WP), allow(HELPDESK, WP)], null), RBCD)).toEqual([]);
  });

  it('no deny takes the owner’s implicit WRITE_DAC; an OWNER RIGHTS ACE replaces it', () => {
    expect(propertyWriters(sd([deny(OWNER, 0x40000)], OWNER), RBCD)).toEqual([
      { sid: OWNER, rights: ['WriteDacl'], via: 'owner' },
    ]);
    expect(propertyWriters(sd([allow('S-1-3-4', 0x20000)], OWNER), RBCD)).toEqual([]);
    expect(propertyWriters(sd([allow('S-1-3-4', 0x20020)], OWNER), RBCD)).toEqual([
      { sid: OWNER, rights: ['WriteProperty'], via: 'owner' },
    ]);
    // An inherit-only OWNER RIGHTS ACE does not restrict the owner of this object.
    expect(propertyWriters(sd([allow('S-1-3-4', 0x20000, INHERIT_ONLY | CONTAINER_INHERIT)], OWNER), RBCD)).toEqual([
      { sid: OWNER, rights: ['WriteDacl'], via: 'owner' },
    ]);
  });

  it('CREATOR OWNER is a placeholder for inheritance, not a trustee; unknown ACE types are skipped', () => {
    const raw: Ace = {
      kind: 'raw',
      type: 0x09,
      flags: 0,
      body: new Uint8Array([0xff, 0x01, 0x0f, 0x00, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0]),
    };
    expect(propertyWriters(sd([allow('S-1-3-0', 0xf01ff), raw], null), RBCD)).toEqual([]);
  });
});

describe('propertyWriters: who may change a group’s membership', () => {
  it('WriteProperty on member or on the Membership set, the self-membership validated write, GenericAll', () => {
    const writers = propertyWriters(
      sd(
        [
          oa(ALICE, WP, AD_SCHEMA.member),
          oa(HELPDESK, WP, AD_SCHEMA.membership),
          oa(`${DOMAIN}-7`, 0x8, AD_SCHEMA.member),
          allow(DOMAIN_ADMINS, 0xf01ff),
        ],
        null,
      ),
      MEMBERSHIP,
    );
    expect(writers).toEqual([
      { sid: ALICE, rights: ['WriteProperty'], via: 'ace' },
      { sid: HELPDESK, rights: ['WriteProperty'], via: 'ace' },
      { sid: `${DOMAIN}-7`, rights: ['ValidatedWrite'], via: 'ace' },
      { sid: DOMAIN_ADMINS, rights: ['GenericAll'], via: 'ace' },
    ]);
  });

  it('the RBCD attribute is not the member attribute', () => {
    expect(propertyWriters(sd([oa(ALICE, WP, AD_SCHEMA.rbcdAttribute)], null), MEMBERSHIP)).toEqual([]);
  });
});

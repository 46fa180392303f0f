// The real proof of a grant: the sandbox KDC issues the front-end a ticket to the back-end on a
// user's behalf (S4U2Self + S4U2Proxy) exactly when the back-end's
// msDS-AllowedToActOnBehalfOfOtherIdentity allows it. The descriptor comes from our codec.
import { createRbcdDescriptor, encodeSecurityDescriptor } from '../../src/security-descriptor';
import { canDelegate, enableProtocolTransition, forgetKeytab } from '../support/kerberos';
import {
  createComputer,
  CreatedComputer,
  deleteObject,
  readEntry,
  readRbcdRaw,
  UAC,
  uniqueName,
  withAceMask,
  writeRbcdRaw,
} from '../support/sandbox';

const GENERIC_ALL = 0x10000000;

describe('Kerberos oracle (S4U2Proxy against the sandbox KDC)', () => {
  let frontEnd: CreatedComputer;
  let backEnd: CreatedComputer;
  let spn: string;

  beforeAll(async () => {
    frontEnd = await createComputer(uniqueName('FE'));
    await enableProtocolTransition(frontEnd.samAccountName);
    const backName = uniqueName('BE');
    spn = `cifs/${backName.toLowerCase()}.contoso.test`;
    backEnd = await createComputer(backName, { spns: [spn] });
  });

  afterAll(async () => {
    if (backEnd) await deleteObject(backEnd.dn);
    if (frontEnd) {
      await deleteObject(frontEnd.dn);
      await forgetKeytab(frontEnd.samAccountName);
    }
  });

  const grantFor = (sid: string) => encodeSecurityDescriptor(createRbcdDescriptor([sid]));
  const ask = (user = 'alice') => canDelegate({ frontEnd: frontEnd.samAccountName, user, spn });

  it('the front-end has protocol transition on', async () => {
    const e = await readEntry(frontEnd.dn, ['userAccountControl']);
    expect(Number(e.userAccountControl) & UAC.TRUSTED_TO_AUTH_FOR_DELEGATION).toBeTruthy();
  });

  it('without the attribute: refused', async () => {
    expect(await readRbcdRaw(backEnd.dn)).toBeNull();
    const r = await ask();
    expect(r.allowed).toBe(false);
    expect(r.output).toMatch(/constrained delegation failed|can't fulfill requested option/i);
  });

  it("with the codec's descriptor for the front-end: allowed", async () => {
    const bytes = grantFor(frontEnd.sid);
    await writeRbcdRaw(backEnd.dn, bytes);
    expect(await readRbcdRaw(backEnd.dn)).toEqual(bytes);
    const r = await ask();
    expect(r).toMatchObject({ allowed: true });
  });

  it('with the ACE in place, a NOT_DELEGATED user (carol) is still refused', async () => {
    expect(await readRbcdRaw(backEnd.dn)).toEqual(grantFor(frontEnd.sid));
    const r = await ask('carol');
    expect(r.allowed).toBe(false);
  });

  it('an ACE for another principal does not let this front-end through', async () => {
    const other = await createComputer(uniqueName('OT'));
    try {
      await writeRbcdRaw(backEnd.dn, grantFor(other.sid));
      expect((await ask()).allowed).toBe(false);
    } finally {
      await deleteObject(other.dn);
    }
  });

  it('a GENERIC_ALL (0x10000000) mask is not honoured by the KDC: refused', async () => {
    const bytes = withAceMask(grantFor(frontEnd.sid), frontEnd.sid, GENERIC_ALL);
    await writeRbcdRaw(backEnd.dn, bytes);
    expect(await readRbcdRaw(backEnd.dn)).toEqual(bytes);
    const r = await ask();
    expect(r.allowed).toBe(false);
    expect(r.output).toMatch(/constrained delegation/i);
  });

  it('clearing the attribute after a grant refuses again at once (no KDC cache)', async () => {
    await writeRbcdRaw(backEnd.dn, grantFor(frontEnd.sid));
    expect((await ask()).allowed).toBe(true);
    await writeRbcdRaw(backEnd.dn, null);
    expect(await readRbcdRaw(backEnd.dn)).toBeNull();
    const r = await ask();
    expect(r.allowed).toBe(false);
  });
});

// Why nesting matters (issue 10): after the broker grants a group on a target, any computer that
// later joins that group can delegate to the target, as the sandbox KDC shows. A group that holds
// Domain Computers would therefore let every computer anyone can create delegate: refused by policy.
import { Attribute, Change } from 'ldapts';
import { canDelegate, enableProtocolTransition, forgetKeytab } from '../support/kerberos';
import {
  adminClient,
  createComputer,
  type CreatedComputer,
  createGroup,
  deleteObject,
  loadSandbox,
  uniqueName,
  withClient,
} from '../support/sandbox';
import type { TestApp } from '../support/test-app';
import { actors, drainJobs, grantApproved, sandboxApp } from '../support/workflow';

describe('KDC oracle: a group grant reaches every later member', () => {
  let t: TestApp;
  let backEnd: CreatedComputer;
  let joiner: CreatedComputer;
  let spn: string;
  let groupDn: string;
  let groupName: string;

  beforeAll(async () => {
    loadSandbox();
    const backName = uniqueName('GB');
    spn = `cifs/${backName.toLowerCase()}.contoso.test`;
    backEnd = await createComputer(backName, { spns: [spn] });
    joiner = await createComputer(uniqueName('GJ'));
    await enableProtocolTransition(joiner.samAccountName);
    groupName = uniqueName('GG');
    groupDn = `CN=${groupName},CN=Users,DC=contoso,DC=test`;
    await createGroup(groupDn, groupName, ['CN=JUMPBOX,OU=Servers,DC=contoso,DC=test']);
    t = await sandboxApp();
  });

  afterAll(async () => {
    await t?.close();
    for (const dn of [backEnd?.dn, joiner?.dn, groupDn]) if (dn) await deleteObject(dn).catch(() => undefined);
    if (joiner) await forgetKeytab(joiner.samAccountName);
  });

  it('refused before it joins; allowed once it joins the granted group, with no change to the target', async () => {
    const who = await actors(t);
    const id = await grantApproved(t, who, { targets: [backEnd.dn], principals: [groupName], duration: 'PT1H' });
    await drainJobs(t);
    expect((await t.http().get(`/api/v1/requests/${id}`).set(who.requester).expect(200)).body.status).toBe('applied');

    const before = await canDelegate({ frontEnd: joiner.samAccountName, user: 'alice', spn });
    expect(before.allowed).toBe(false);

    await withClient(adminClient(), (c) =>
      c.modify(
        groupDn,
        new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [joiner.dn] }) }),
      ),
    );
    const after = await canDelegate({ frontEnd: joiner.samAccountName, user: 'alice', spn });
    expect(after).toMatchObject({ allowed: true });
  });
});

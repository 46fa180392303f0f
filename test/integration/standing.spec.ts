// Standing entries (issue 14 §1) against the sandbox DC: RBCD entries written with ldapmodify, before
// the service's record began (preExisting) and after it (outOfBand, "behind its back"), listed with
// the target's writers, risk flags and change times; an entry an active grant covers is not listed.
import { createComputer, type CreatedComputer, deleteObject, uniqueName } from '../support/sandbox';
import { createOu, setRbcdByLdapmodify } from '../support/ldapmodify';
import type { TestApp, TestDatabase } from '../support/test-app';
import { actors, type Actors, drainJobs, grantApproved, sandboxApp, sleep } from '../support/workflow';

interface Entry {
  id: string;
  target: { sid: string; dn: string };
  principal: { sid: string; samAccountName: string | null };
  origin: string;
  originReason: string;
  rbcdChangedAt: string | null;
  changedAtSource: string;
  whenChanged: string | null;
  writers: { samAccountName: string | null; class: string }[] | null;
  risks: { code: string }[];
  effective: boolean;
}

describe.each<TestDatabase>(['sqlite', 'postgres'])('standing entries on %s', (database) => {
  let t: TestApp;
  let who: Actors;
  let ou: string;
  let before: CreatedComputer;
  let behind: CreatedComputer;
  let managed: CreatedComputer;
  let frontEnd: CreatedComputer;
  let other: CreatedComputer;
  const created: CreatedComputer[] = [];

  beforeAll(async () => {
    ou = await createOu(`OU=${uniqueName('STD')},OU=Servers,DC=contoso,DC=test`);
    frontEnd = await createComputer(uniqueName('SF'), { ou });
    other = await createComputer(uniqueName('SO'), { ou });
    before = await createComputer(uniqueName('SB'), { ou });
    behind = await createComputer(uniqueName('SX'), { ou });
    managed = await createComputer(uniqueName('SM'), { ou });
    created.push(frontEnd, other, before, behind, managed);
    // Written before the service's record begins: pre-existing.
    await setRbcdByLdapmodify(before.dn, [frontEnd.sid]);
    await sleep(1100); // the directory stamps whole seconds
    t = await sandboxApp({ database });
    who = await actors(t); // the first audit events: the service's record begins here
    await sleep(1100);
    // Written afterwards, without the broker: behind its back.
    await setRbcdByLdapmodify(behind.dn, [frontEnd.sid, other.sid]);
    // A managed grant on `managed`, then a second entry on it written behind the broker's back.
    const id = await grantApproved(t, who, {
      targets: [managed.dn],
      principals: [frontEnd.sid],
      duration: 'PT1H',
    });
    await drainJobs(t);
    expect((await t.http().get(`/api/v1/requests/${id}`).set(who.requester).expect(200)).body.status).toBe('applied');
    await setRbcdByLdapmodify(managed.dn, [frontEnd.sid, other.sid]);
  });

  afterAll(async () => {
    await t?.close();
    for (const c of created) await deleteObject(c.dn).catch(() => undefined);
    if (ou) await deleteObject(ou).catch(() => undefined);
  });

  const list = async (query: string): Promise<{ items: Entry[]; total: number; nextCursor: string | null }> =>
    (await t.http().get(`/api/v1/standing?${query}`).set(who.requester).expect(200)).body;

  it('lists entries no grant covers: pre-existing, written behind its back, with writers, risks and change times', async () => {
    const page = await list(`base=${encodeURIComponent(ou)}`);
    const byTarget = (c: CreatedComputer) => page.items.filter((e) => e.target.sid === c.sid);
    // On `managed`, the granted pair is managed; the one written beside it is standing.
    expect(byTarget(managed).map((e) => e.principal.sid)).toEqual([other.sid]);
    expect(byTarget(managed)[0].origin).toBe('outOfBand');
    expect(page.total).toBe(4);

    const [pre] = byTarget(before);
    expect(pre).toMatchObject({
      id: `${before.sid}|${frontEnd.sid}`,
      principal: { sid: frontEnd.sid, samAccountName: frontEnd.samAccountName },
      origin: 'preExisting',
      changedAtSource: 'attributeMetadata',
      effective: true,
    });
    expect(pre.risks.map((r) => r.code)).not.toContain('STANDING_OUT_OF_BAND');

    const out = byTarget(behind);
    expect(out.map((e) => e.principal.sid).sort()).toEqual([frontEnd.sid, other.sid].sort());
    for (const e of out) {
      expect(e.origin).toBe('outOfBand');
      expect(e.originReason).toMatch(/behind its back/);
      expect(e.risks.map((r) => r.code)).toContain('STANDING_OUT_OF_BAND');
      // The attribute's own change time (replPropertyMetaData), not only the object's whenChanged.
      expect(e.changedAtSource).toBe('attributeMetadata');
      expect(Date.parse(e.rbcdChangedAt as string)).toBeLessThanOrEqual(Date.now());
      expect(e.whenChanged).toEqual(expect.any(String));
      // The target's writers: Tier 0 (Domain Admins ...), the service account, SELF.
      expect(e.writers?.map((w) => w.class)).toEqual(expect.arrayContaining(['tier0', 'service', 'self']));
    }
  });

  it('pages over a snapshot, and GraphQL answers the same', async () => {
    const first = await list(`base=${encodeURIComponent(ou)}&limit=2`);
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await list(`base=${encodeURIComponent(ou)}&limit=2&cursor=${first.nextCursor}`);
    expect(second.items).toHaveLength(2);
    expect(second.nextCursor).toBeNull();
    const ids = [...first.items, ...second.items].map((e) => e.id);
    expect(new Set(ids).size).toBe(4);

    const gql = await t
      .http()
      .post('/graphql')
      .set(who.requester)
      .send({
        query: `query($base: String) { standingEntries(base: $base) { total items { id origin writers { class } risks { code } } } }`,
        variables: { base: ou },
      })
      .expect(200);
    expect(gql.body.errors).toBeUndefined();
    expect(gql.body.data.standingEntries.total).toBe(4);
    expect(gql.body.data.standingEntries.items.map((e: Entry) => e.id).sort()).toEqual([...ids].sort());
  });

  it('refuses a bad cursor and a base outside every configured domain, with stable codes', async () => {
    const bad = await t.http().get('/api/v1/standing?cursor=nonsense').set(who.requester).expect(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    const nowhere = await t
      .http()
      .get(`/api/v1/standing?base=${encodeURIComponent('OU=X,DC=example,DC=org')}`)
      .set(who.requester)
      .expect(404);
    expect(nowhere.body.error.code).toBe('DOMAIN_NOT_CONFIGURED');
    await t.http().get('/api/v1/standing').expect(401);
  });
});

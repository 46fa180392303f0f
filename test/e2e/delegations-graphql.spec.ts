// The live queries over GraphQL (POST /graphql through supertest): same fields as REST, same error
// codes in errors[].extensions.code, same authentication.
import { Attribute } from 'ldapts';
import {
  adminClient,
  createComputer,
  CreatedComputer,
  deleteObject,
  readRbcdRaw,
  referenceRbcdDescriptor,
  REPO_ROOT,
  uniqueName,
  withAceMask,
  withClient,
  writeRbcdRaw,
} from '../support/sandbox';
import { createTestApp, TestApp } from '../support/test-app';

const ACCOUNT = 'dn sid samAccountName dnsHostName domain';
const DELEGATION = `target { ${ACCOUNT} } principals { sid samAccountName dn domain resolved accessMask aceType effective } sddl raw warnings { code message sid }`;

describe('live delegation queries (GraphQL)', () => {
  let t: TestApp;
  let ou: string;
  let frontEnd: CreatedComputer;
  let target: CreatedComputer;
  let other: CreatedComputer;

  const gql = (query: string, variables: Record<string, unknown> = {}, auth = true) => {
    const req = t.http().post('/graphql');
    if (auth) req.set(t.admin);
    return req.send({ query, variables }).expect(200);
  };
  const codes = (body: { errors?: { extensions: { code: string } }[] }) =>
    (body.errors ?? []).map((e) => e.extensions.code);

  beforeAll(async () => {
    t = await createTestApp({ env: { RBCD_CONFIG: `${REPO_ROOT}/.sandbox/rbcd.yaml` } });
    ou = `OU=${uniqueName('Q')},OU=Servers,DC=contoso,DC=test`;
    await withClient(adminClient(), (c) =>
      c.add(ou, [new Attribute({ type: 'objectClass', values: ['organizationalUnit'] })]),
    );
    [frontEnd, target, other] = await Promise.all(['QF', 'QT', 'QO'].map((p) => createComputer(uniqueName(p), { ou })));
    await writeRbcdRaw(target.dn, referenceRbcdDescriptor([frontEnd.sid]));
    await writeRbcdRaw(other.dn, withAceMask(referenceRbcdDescriptor([frontEnd.sid]), frontEnd.sid, 0x80000000));
  });

  afterAll(async () => {
    await t?.close();
    await Promise.all([frontEnd, target, other].filter(Boolean).map((c) => deleteObject(c.dn)));
    if (ou) await deleteObject(ou);
  });

  it('delegation(target): the same answer as GET /delegations/{target}', async () => {
    const res = await gql(`query($t: String!) { delegation(target: $t) { ${DELEGATION} } }`, {
      t: target.samAccountName,
    });
    expect(res.body.errors).toBeUndefined();
    const rest = await t.http().get(`/api/v1/delegations/${target.samAccountName}`).set(t.admin).expect(200);
    const { writers: _writers, ...restBody } = rest.body; // not asked for in this query
    expect(res.body.data.delegation).toEqual({
      ...restBody,
      warnings: restBody.warnings.map((w: { sid?: string }) => ({ sid: null, ...w })),
    });
    expect(res.body.data.delegation.principals).toEqual([
      {
        sid: frontEnd.sid,
        samAccountName: frontEnd.samAccountName,
        dn: frontEnd.dn,
        domain: 'contoso.test',
        resolved: true,
        accessMask: 0xf01ff,
        aceType: 'allow',
        effective: true,
      },
    ]);
    expect(res.body.data.delegation.raw).toBe((await readRbcdRaw(target.dn))?.toString('base64'));
  });

  it('delegation(target, domain) with a mask above 2^31 (GENERIC_READ) and its warning', async () => {
    const res = await gql(
      `{ delegation(target: "${other.samAccountName}", domain: "contoso.test") { principals { accessMask effective } warnings { code sid } } }`,
    );
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.delegation).toEqual({
      principals: [{ accessMask: 0x80000000, effective: false }],
      warnings: [
        { code: 'INEFFECTIVE_MASK', sid: frontEnd.sid },
        { code: 'RBCD_SELF_WRITABLE', sid: null },
      ],
    });
  });

  it('delegationsForPrincipal(principal)', async () => {
    const res = await gql(
      `query($p: String!) { delegationsForPrincipal(principal: $p) { principal { ${ACCOUNT} } targets { dn sid samAccountName domain via } } }`,
      { p: frontEnd.dn },
    );
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.delegationsForPrincipal.principal).toMatchObject({
      sid: frontEnd.sid,
      domain: 'contoso.test',
    });
    const mine = res.body.data.delegationsForPrincipal.targets.filter((x: { dn: string }) => x.dn.endsWith(ou));
    expect(mine).toEqual([
      {
        dn: target.dn,
        sid: target.sid,
        samAccountName: target.samAccountName,
        domain: 'contoso.test',
        via: ['direct'],
      },
    ]);
  });

  it('inventory(base, kinds, limit, cursor)', async () => {
    const query = `query($b: String, $k: [String!], $l: Int, $c: String) { inventory(base: $b, kinds: $k, limit: $l, cursor: $c) {
      items { dn samAccountName kinds rbcdPrincipals { sid samAccountName effective aceType } allowedToDelegateTo risks { code message sid } } total nextCursor } }`;
    const first = await gql(query, { b: ou, k: ['rbcd'], l: 1 });
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data.inventory).toMatchObject({
      total: 2,
      items: [{ dn: other.dn, kinds: ['rbcd'], risks: [{ code: 'INEFFECTIVE_MASK', sid: frontEnd.sid }] }],
    });
    const second = await gql(query, { b: ou, k: ['rbcd'], l: 1, c: first.body.data.inventory.nextCursor });
    expect(second.body.data.inventory).toMatchObject({
      total: 2,
      nextCursor: null,
      items: [
        {
          dn: target.dn,
          rbcdPrincipals: [
            { sid: frontEnd.sid, samAccountName: frontEnd.samAccountName, effective: true, aceType: 'allow' },
          ],
          risks: [],
        },
      ],
    });
    const bogus = await gql(query, { b: ou, k: ['bogus'] });
    expect(codes(bogus.body)).toEqual(['VALIDATION_FAILED']);
  });

  it('inventory(risk): only the items that carry it, counted before paging; an unknown risk is refused', async () => {
    const query = `query($b: String, $r: String, $l: Int) { inventory(base: $b, risk: $r, limit: $l) { items { dn risks { code } } total nextCursor } }`;
    const risky = await gql(query, { b: ou, r: 'INEFFECTIVE_MASK', l: 1 });
    expect(risky.body.errors).toBeUndefined();
    expect(risky.body.data.inventory).toEqual({
      total: 1,
      nextCursor: null,
      items: [{ dn: other.dn, risks: [{ code: 'INEFFECTIVE_MASK' }] }],
    });
    // The control: without the risk, both RBCD targets of the OU are there.
    const control = await gql(query, { b: ou, l: 1 });
    expect(control.body.data.inventory.total).toBe(2);
    const bogus = await gql(query, { b: ou, r: 'NOT_A_RISK' });
    expect(codes(bogus.body)).toEqual(['VALIDATION_FAILED']);
    expect(bogus.body.data).toBeNull();
  });

  it('planDelegation(input) writes nothing', async () => {
    const before = await readRbcdRaw(target.dn);
    const res = await gql(
      `query($i: PlanDelegationInput!) { planDelegation(input: $i) { items { target { dn } changed before { principals { sid } } after { principals { sid samAccountName } }
        sddlBefore sddlAfter policy { allowed requiredApprovals reasons } error { code message } } } }`,
      {
        i: {
          action: 'grant',
          targetSearch: { base: ou, filter: `(cn=${target.samAccountName.replace('$', '')})` },
          principals: ['SERVERB$'],
        },
      },
    );
    expect(res.body.errors).toBeUndefined();
    const [item] = res.body.data.planDelegation.items;
    expect(item).toMatchObject({
      target: { dn: target.dn },
      changed: true,
      before: { principals: [{ sid: frontEnd.sid }] },
      after: { principals: [{ sid: frontEnd.sid }, { samAccountName: 'SERVERB$' }] },
      sddlBefore: `O:BAD:(A;;0xf01ff;;;${frontEnd.sid})`,
      policy: { allowed: true, requiredApprovals: 1 },
      error: null,
    });
    expect(await readRbcdRaw(target.dn)).toEqual(before);
    const invalid = await gql(
      `{ planDelegation(input: {action: "grant", targets: ["${target.samAccountName}"]}) { items { changed } } }`,
    );
    expect(codes(invalid.body)).toEqual(['VALIDATION_FAILED']);
    const badAction = await gql(
      `{ planDelegation(input: {action: "explode", targets: ["${target.samAccountName}"]}) { items { changed } } }`,
    );
    expect(codes(badAction.body)).toEqual(['VALIDATION_FAILED']);
  });

  it('diagnose(input)', async () => {
    const res = await gql(`query($i: DiagnoseInput!) { diagnose(input: $i) { ok checks { id status message } } }`, {
      i: { user: 'carol', frontEnd: frontEnd.samAccountName, backEnd: target.dn },
    });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.diagnose.ok).toBe(false);
    const failed = res.body.data.diagnose.checks
      .filter((c: { status: string }) => c.status === 'fail')
      .map((c: { id: string }) => c.id);
    // carol is NOT_DELEGATED; the target has no SPN of its own beyond HOST/ (it passes), the ACE is there.
    expect(failed).toEqual(['USER_DELEGABLE']);
    expect(res.body.data.diagnose.checks.find((c: { id: string }) => c.id === 'RBCD_ACE').status).toBe('pass');
  });

  it.each<[string, string, string]>([
    ['an unknown target', '{ delegation(target: "NOSUCHHOST") { raw } }', 'TARGET_NOT_FOUND'],
    ['an injection attempt', '{ delegation(target: "x)(cn=*") { raw } }', 'TARGET_NOT_FOUND'],
    [
      'an unknown principal',
      '{ delegationsForPrincipal(principal: "SERVER*") { targets { dn } } }',
      'PRINCIPAL_NOT_FOUND',
    ],
    [
      'an unknown user',
      '{ diagnose(input: {user: "nobody-here", frontEnd: "SERVERB", backEnd: "SERVERC"}) { ok } }',
      'USER_NOT_FOUND',
    ],
    ['a base outside every domain', '{ inventory(base: "DC=example,DC=com") { total } }', 'DOMAIN_NOT_CONFIGURED'],
    ['a bad cursor', '{ inventory(cursor: "nope") { total } }', 'VALIDATION_FAILED'],
  ])('%s: the REST code in extensions.code', async (_label, query, code) => {
    const res = await gql(query);
    expect(codes(res.body)).toEqual([code]);
  });

  it('a query that does not fit the schema: 400 with VALIDATION_FAILED', async () => {
    const res = await t
      .http()
      .post('/graphql')
      .set(t.admin)
      .send({ query: '{ delegation(target: "SERVERC") { nope } }' })
      .expect(400);
    expect(codes(res.body)).toEqual(['VALIDATION_FAILED']);
  });

  it('no credential: UNAUTHENTICATED in extensions.code, no data', async () => {
    const res = await gql(`{ delegation(target: "SERVERC") { raw } }`, {}, false);
    expect(codes(res.body)).toEqual(['UNAUTHENTICATED']);
    expect(res.body.data).toBeNull();
    const wrong = await t
      .http()
      .post('/graphql')
      .set('Authorization', 'Bearer wrong-key-0123456789abcdef')
      .send({ query: '{ inventory { total } }' })
      .expect(200);
    expect(codes(wrong.body)).toEqual(['UNAUTHENTICATED']);
  });
});

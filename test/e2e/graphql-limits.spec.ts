// GraphQL limits: one operation may not fan out without bound. Depth, aliases, fields and the
// directory look-ups of its root fields are measured before anything runs; over a limit the whole
// operation is refused with QUERY_TOO_COMPLEX naming the limit. Introspection fits the defaults.
import { getIntrospectionQuery } from 'graphql';
import { StrictFakeDirectory } from '../support/strict-fake-directory';
import { createTestApp, type TestApp } from '../support/test-app';

describe('GraphQL limits', () => {
  let t: TestApp;
  let directory: StrictFakeDirectory;
  let resolves = 0;

  beforeAll(async () => {
    directory = new StrictFakeDirectory();
    const resolve = directory.resolve.bind(directory);
    directory.resolve = (...args: Parameters<StrictFakeDirectory['resolve']>) => {
      resolves++;
      return resolve(...args);
    };
    t = await createTestApp({ directory });
  });

  afterAll(async () => {
    await t?.close();
  });

  const gql = (query: string, variables?: Record<string, unknown>) =>
    t.http().post('/graphql').set(t.admin).send({ query, variables });
  const aliases = (n: number) =>
    Array.from({ length: n }, (_, i) => `a${i}: delegation(target: "SERVERC") { sddl }`).join(' ');

  const expectTooComplex = (
    res: { status: number; body: { errors?: { extensions?: Record<string, unknown> }[]; data?: unknown } },
    limit: string,
    max: number,
  ) => {
    expect(res.status).toBe(400);
    expect(res.body.data).toBeUndefined();
    expect(res.body.errors?.[0].extensions).toMatchObject({
      code: 'QUERY_TOO_COMPLEX',
      status: 400,
      details: { limit, max },
    });
  };

  it('refuses 2,000 aliases of delegation(target:) before any directory look-up (maxAliases)', async () => {
    const before = resolves;
    const res = await gql(`{ ${aliases(2000)} }`);
    expectTooComplex(res, 'maxAliases', 100);
    expect(res.body.errors[0].message).toMatch(/maxAliases \(100\).*2000/);
    expect(resolves).toBe(before);
  });

  it('positive control: 20 aliases are answered', async () => {
    const res = await gql(`{ ${aliases(20)} }`).expect(200);
    expect(res.body.errors).toBeUndefined();
    expect(Object.keys(res.body.data)).toHaveLength(20);
  });

  it('counts aliases inside fragments where they are spread', async () => {
    const fragment = `fragment Many on Query { ${aliases(60)} }`;
    expectTooComplex(
      await gql(
        `{ ...Many ... on Query { ...Many } } ${fragment}`.replace(
          '{ ...Many ... on Query { ...Many } }',
          '{ ...Many ... on Query { b: __typename ...Many } }',
        ),
      ),
      'maxAliases',
      100,
    );
    const once = await gql(`{ ...Many } ${fragment}`).expect(200);
    expect(once.body.errors).toBeUndefined();
  });

  it('refuses an operation nested deeper than maxDepth (15), naming the limit', async () => {
    const deep = `{ __schema { types { fields { type ${'{ ofType '.repeat(12)}{ name }${' }'.repeat(12)} } } } }`;
    expectTooComplex(await gql(deep), 'maxDepth', 15);
  });

  it('refuses a plan that names more accounts than the directory look-up budget (200), counting variables', async () => {
    const query = 'query($i: PlanDelegationInput!) { planDelegation(input: $i) { action } }';
    const targets = Array.from({ length: 200 }, (_, i) => `SRV${i}`);
    const res = await gql(query, { i: { action: 'grant', targets, principals: ['SERVERB$'] } });
    expectTooComplex(res, 'maxDirectoryLookups', 200);
    expect(res.body.errors[0].extensions.details.actual).toBe(201);
    // Within the budget the plan runs (and fails on the names, not on the limit).
    const within = await gql(query, {
      i: { action: 'grant', targets: targets.slice(0, 199), principals: ['SERVERB$'] },
    });
    expect(within.body.errors?.[0].extensions.code).not.toBe('QUERY_TOO_COMPLEX');
  });

  it('adds up the look-ups of every root field (delegation 1 each, diagnose 3)', async () => {
    const fields = Array.from(
      { length: 66 },
      (_, i) => `d${i}: diagnose(input: {user: "alice", frontEnd: "SERVERB$", backEnd: "SERVERC"}) { ok }`,
    ).join(' ');
    const res = await gql(
      `{ ${fields} a: delegation(target: "SERVERC") { sddl } b: delegation(target: "SERVERC") { sddl } c: delegation(target: "SERVERC") { sddl } }`,
    );
    expectTooComplex(res, 'maxDirectoryLookups', 200);
    expect(res.body.errors[0].extensions.details.actual).toBe(201);
  });

  it('keeps introspection on for an authenticated caller (the standard introspection query fits)', async () => {
    const res = await gql(getIntrospectionQuery()).expect(200);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.__schema.queryType.name).toBe('Query');
  });
});

describe('GraphQL limits are configurable', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({
      directory: new StrictFakeDirectory(),
      env: { RBCD_GRAPHQL_MAX_FIELDS: '5', RBCD_GRAPHQL_MAX_DEPTH: '3' },
    });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('refuses six fields when RBCD_GRAPHQL_MAX_FIELDS=5, and answers five', async () => {
    const res = await t
      .http()
      .post('/graphql')
      .set(t.admin)
      .send({ query: '{ delegation(target: "SERVERC") { sddl raw target { dn sid } } }' });
    expect(res.body.errors[0].extensions).toMatchObject({
      code: 'QUERY_TOO_COMPLEX',
      details: { limit: 'maxFields', max: 5, actual: 6 },
    });
    const ok = await t
      .http()
      .post('/graphql')
      .set(t.admin)
      .send({ query: '{ delegation(target: "SERVERC") { sddl raw target { dn } } }' })
      .expect(200);
    expect(ok.body.errors).toBeUndefined();
  });

  it('refuses depth 4 when RBCD_GRAPHQL_MAX_DEPTH=3', async () => {
    const res = await t
      .http()
      .post('/graphql')
      .set(t.admin)
      .send({ query: '{ delegation(target: "SERVERC") { principals { sid } warnings { code } } }' });
    expect(res.body.errors?.[0].extensions.code).toBeUndefined();
    const deep = await t
      .http()
      .post('/graphql')
      .set(t.admin)
      .send({ query: '{ __schema { types { fields { name } } } }' });
    expect(deep.body.errors[0].extensions).toMatchObject({
      code: 'QUERY_TOO_COMPLEX',
      details: { limit: 'maxDepth', max: 3, actual: 4 },
    });
  });
});

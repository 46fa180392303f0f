// GraphQL says what resolvers return: every field of Request, Delegation and DiagnoseResult is
// queried on real data from the sandbox DC (a grant applied with a ticket, one pending without),
// and no field the schema calls non-null comes back null (nor as an error). The shared models also
// agree with the REST contract: a field is non-null in GraphQL exactly when openapi.json marks it
// required and not nullable.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import {
  buildSchema,
  getNamedType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  isListType,
  isNonNullType,
  isObjectType,
} from 'graphql';
import { createComputer, type CreatedComputer, deleteObject, uniqueName } from '../support/sandbox';
import type { TestApp } from '../support/test-app';
import { actors, type Actors, drainJobs, sandboxApp } from '../support/workflow';

const OPENAPI_DIR = join(__dirname, '..', '..', 'openapi');

/** Every field of a type, nested objects included (a type met again on the same path is cut off). */
function selectionOf(type: GraphQLObjectType, seen: string[] = []): string {
  const fields = Object.values(type.getFields())
    .filter((field) => field.args.every((arg) => !isNonNullType(arg.type)))
    .map((field) => {
      const named = getNamedType(field.type);
      if (!isObjectType(named)) return field.name;
      if (seen.includes(named.name)) return undefined;
      return `${field.name} ${selectionOf(named, [...seen, type.name])}`;
    })
    .filter(Boolean);
  return `{ ${fields.join(' ')} }`;
}

/** Paths where a non-null field of the schema holds null. */
function nullsInNonNull(value: unknown, type: GraphQLOutputType, path: string, found: string[]): void {
  if (isNonNullType(type)) {
    if (value === null || value === undefined) found.push(path);
    else nullsInNonNull(value, type.ofType, path, found);
    return;
  }
  if (value === null || value === undefined) return;
  if (isListType(type)) {
    (value as unknown[]).forEach((item, i) => nullsInNonNull(item, type.ofType, `${path}[${i}]`, found));
    return;
  }
  if (isObjectType(type)) {
    for (const [name, field] of Object.entries(type.getFields())) {
      if (name in (value as Record<string, unknown>))
        nullsInNonNull((value as Record<string, unknown>)[name], field.type, `${path}.${name}`, found);
    }
  }
}

describe('GraphQL nullability on real data (sandbox DC)', () => {
  let t: TestApp;
  let who: Actors;
  let schema: GraphQLSchema;
  let target: CreatedComputer;
  let applied: string;
  let pending: string;

  async function query(document: string, variables: Record<string, unknown>, field: string): Promise<unknown> {
    const res = await t.http().post('/graphql').set(t.admin).send({ query: document, variables }).expect(200);
    expect(res.body.errors).toBeUndefined();
    const type = schema.getQueryType()?.getFields()[field].type as GraphQLOutputType;
    const found: string[] = [];
    nullsInNonNull(res.body.data[field], type, field, found);
    expect(found).toEqual([]);
    return res.body.data[field];
  }

  beforeAll(async () => {
    t = await sandboxApp();
    schema = t.app.get(GraphQLSchemaHost).schema;
    who = await actors(t);
    target = await createComputer(uniqueName('GN'), { spns: [] });
    const grant = {
      action: 'grant',
      targets: [target.dn],
      principals: ['SERVERB$'],
      justification: 'nullability',
      duration: 'PT1H',
    };
    applied = (
      await t
        .http()
        .post('/api/v1/requests')
        .set(who.requester)
        .send({ ...grant, ticket: { system: 'servicenow', id: 'CHG9', url: 'https://tickets.example.com/CHG9' } })
        .expect(201)
    ).body.id;
    await t.http().post(`/api/v1/requests/${applied}/approve`).set(who.approver).send({ comment: 'ok' }).expect(200);
    await drainJobs(t);
    pending = (await t.http().post('/api/v1/requests').set(who.requester).send(grant).expect(201)).body.id;
  });

  afterAll(async () => {
    await t?.close();
    if (target) await deleteObject(target.dn);
  });

  const typeOf = (name: string) => schema.getType(name) as GraphQLObjectType;

  it('Request: every field, applied with a ticket and result, and pending with neither', async () => {
    const document = `query($id: String!) { request(id: $id) ${selectionOf(typeOf('Request'))} }`;
    const done = (await query(document, { id: applied }, 'request')) as Record<string, unknown>;
    expect(done).toMatchObject({
      status: 'applied',
      ticket: { system: 'servicenow', id: 'CHG9' },
      result: { targets: [expect.objectContaining({ status: 'applied' })] },
    });
    const waiting = (await query(document, { id: pending }, 'request')) as Record<string, unknown>;
    expect(waiting).toMatchObject({ status: 'pending', ticket: null, result: null, appliedAt: null });
  });

  it('Delegation: every field, on the target with the applied grant', async () => {
    const document = `query($target: String!) { delegation(target: $target) ${selectionOf(typeOf('Delegation'))} }`;
    const delegation = (await query(document, { target: target.dn }, 'delegation')) as {
      principals: { samAccountName: string }[];
    };
    expect(delegation.principals.map((p) => p.samAccountName)).toContain('SERVERB$');
  });

  it('DiagnoseResult: every field, for a double hop to that target', async () => {
    const args = schema
      .getQueryType()
      ?.getFields()
      .diagnose.args.map((a) => `${a.name}: $${a.name}`)
      .join(', ');
    const argTypes = schema
      .getQueryType()
      ?.getFields()
      .diagnose.args.map((a) => `$${a.name}: ${a.type.toString()}`)
      .join(', ');
    const document = `query(${argTypes}) { diagnose(${args}) ${selectionOf(typeOf('DiagnoseResult'))} }`;
    const result = (await query(
      document,
      { input: { user: 'alice', frontEnd: 'SERVERB$', backEnd: target.samAccountName } },
      'diagnose',
    )) as { checks: unknown[] };
    expect(result.checks.length).toBeGreaterThan(0);
  });

  it('every object type shared with REST is non-null exactly where openapi.json says required and not nullable', () => {
    const graphql = buildSchema(readFileSync(join(OPENAPI_DIR, 'schema.graphql'), 'utf8'));
    const components = (
      JSON.parse(readFileSync(join(OPENAPI_DIR, 'openapi.json'), 'utf8')) as {
        components: {
          schemas: Record<
            string,
            { properties?: Record<string, { oneOf?: { type?: string }[] }>; required?: string[] }
          >;
        };
      }
    ).components.schemas;
    const restName: Record<string, string> = { DelegationPlan: 'PlanModel', DiagnoseResult: 'DiagnoseModel' };
    const mismatches: string[] = [];
    let compared = 0;
    for (const type of Object.values(graphql.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__') || ['Query', 'Mutation'].includes(type.name)) continue;
      const name = restName[type.name] ?? [`${type.name}Model`, type.name].find((n) => components[n]);
      if (!name || !components[name]) continue;
      compared++;
      const rest = components[name];
      for (const [field, definition] of Object.entries(type.getFields())) {
        const property = rest.properties?.[field];
        if (!property) {
          mismatches.push(`${type.name}.${field}: not in ${name}`);
          continue;
        }
        const restNullable =
          !(rest.required ?? []).includes(field) || (property.oneOf ?? []).some((s) => s.type === 'null');
        if (restNullable === isNonNullType(definition.type))
          mismatches.push(
            `${type.name}.${field}: GraphQL ${definition.type.toString()}, REST ${restNullable ? 'nullable or optional' : 'required'}`,
          );
      }
    }
    expect(compared).toBeGreaterThan(15);
    expect(mismatches).toEqual([]);
  });
});

// The contract check itself must fail when it should: planted mismatches against the committed
// openapi/openapi.json, each named by operation, next to the real answers it accepts.
import { readFileSync } from 'node:fs';
import { ERROR_STATUS } from '../../src/common/errors/error-codes';
import { ContractValidator, OPENAPI_PATH } from '../support/contract';
import { contractChecked } from '../support/contract-http';
import { createTestApp, type TestApp } from '../support/test-app';
import { StrictFakeDirectory } from '../support/strict-fake-directory';
import type { RequestView } from '../../src/requests/request.view';

const spec = JSON.parse(readFileSync(OPENAPI_PATH, 'utf8')) as Record<string, unknown>;
const contract = new ContractValidator(spec);
const request = {
  id: '0b5c1a58-7f57-4c9b-9d0f-1f1f7e9a1a01',
  status: 'pending',
  action: 'grant',
  targets: [
    {
      dn: 'CN=SERVERC,OU=Servers,DC=contoso,DC=test',
      sid: 'S-1-5-21-1-2-3-1105',
      samAccountName: 'SERVERC$',
      dnsHostName: 'serverc.contoso.test',
      domain: 'contoso.test',
    },
  ],
  principals: [
    {
      dn: 'CN=SERVERB,OU=Servers,DC=contoso,DC=test',
      sid: 'S-1-5-21-1-2-3-1104',
      samAccountName: 'SERVERB$',
      domain: 'contoso.test',
    },
  ],
  requester: 'apikey:1',
  requesterName: 'ticketing',
  requestedFor: null,
  requestedBy: { id: 'apikey:1', via: 'api-key', person: null },
  requestedForPerson: null,
  justification: 'jump box',
  ticket: null,
  expiresAt: null,
  startsAt: null,
  extendsRequestId: null,
  mergedInto: null,
  requiredApprovals: 1,
  approvals: [],
  approvalStatus: { approvers: 0, required: 1, owners: [], missing: ['1 more approval(s) in all (0/1)'] },
  createdAt: '2026-12-01T05:00:00.000Z',
  updatedAt: '2026-12-01T05:00:00.000Z',
  appliedAt: null,
  result: null,
  nextSteps: [],
  emergency: false,
  reviewDueAt: null,
  review: null,
  escalatedAt: null,
  standing: false,
  nextReviewAt: null,
} satisfies RequestView;
const answer = (body: unknown, status = 200, url = `/api/v1/requests/${request.id}`, method = 'GET') => ({
  method,
  url,
  status,
  contentType: 'application/json; charset=utf-8',
  body,
});

describe('contract validator', () => {
  it('accepts a request as the service sends it (ticket and result null)', () => {
    expect(() => contract.check(answer(request))).not.toThrow();
    expect(() => contract.check(answer({ ...request, ticket: { system: 'servicenow', id: 'CHG1' } }))).not.toThrow();
  });

  it('fails on a planted field of the wrong type, naming the operation', () => {
    expect(() => contract.check(answer({ ...request, requiredApprovals: '1' }))).toThrow(
      /GET \/api\/v1\/requests\/\{id\} → 200: \/requiredApprovals must be integer/,
    );
    expect(() => contract.check(answer({ ...request, ticket: 'CHG1' }))).toThrow(
      /GET \/api\/v1\/requests\/\{id\} → 200: \/ticket/,
    );
  });

  it('fails on a value outside an enum, a missing required field and a field the spec does not name', () => {
    expect(() => contract.check(answer({ ...request, status: 'done' }))).toThrow(
      /\/status must be equal to one of the allowed values/,
    );
    const { nextSteps: _dropped, ...missing } = request;
    expect(() => contract.check(answer(missing))).toThrow(/must have required property 'nextSteps'/);
    expect(() => contract.check(answer({ ...request, secret: 'x' }))).toThrow(/field the spec does not name: secret/);
  });

  it('fails on an undocumented status and on an error code that belongs to another status', () => {
    expect(() => contract.check(answer({}, 418))).toThrow(
      /GET \/api\/v1\/requests\/\{id\} → 418: status not documented/,
    );
    expect(() => contract.check(answer({ error: { code: 'REQUEST_NOT_FOUND', message: 'x' } }, 404))).not.toThrow();
    expect(() => contract.check(answer({ error: { code: 'POLICY_DENIED', message: 'x' } }, 404))).toThrow(
      /error code POLICY_DENIED belongs to status 422, not 404/,
    );
    expect(() => contract.check(answer({ error: { code: 'NO_SUCH_CODE', message: 'x' } }, 404))).toThrow(
      /\/error\/code must be equal to one of the allowed values/,
    );
  });

  it('fails on a planted mismatch in the spec itself: a field documented as something the service does not send', () => {
    const planted = JSON.parse(JSON.stringify(spec)) as {
      components: { schemas: Record<string, { properties: Record<string, unknown> }> };
    };
    planted.components.schemas.RequestModel.properties.ticket = { $ref: '#/components/schemas/TicketModel' }; // never null
    expect(() => new ContractValidator(planted as unknown as Record<string, unknown>).check(answer(request))).toThrow(
      /GET \/api\/v1\/requests\/\{id\} → 200: \/ticket must be object/,
    );
  });

  it("refuses OpenAPI 3.0's nullable (a 3.1 document has no such keyword)", () => {
    const planted = JSON.parse(JSON.stringify(spec)) as {
      components: { schemas: Record<string, { properties: Record<string, unknown> }> };
    };
    planted.components.schemas.RequestModel.properties.appliedAt = { type: 'string', nullable: true };
    expect(() => new ContractValidator(planted as unknown as Record<string, unknown>)).toThrow(
      /components.schemas.RequestModel.properties.appliedAt: OpenAPI 3.1 has no "nullable" keyword/,
    );
  });

  it('a route that is not in the spec may only answer the error body 404', () => {
    expect(() =>
      contract.check(answer({ error: { code: 'NOT_FOUND', message: 'No such route' } }, 404, '/api/v1/nothing-here')),
    ).not.toThrow();
    expect(() => contract.check(answer({ ok: true }, 200, '/api/v1/nothing-here'))).toThrow(
      /GET \/api\/v1\/nothing-here → 200: no operation of the spec/,
    );
  });

  it('every example in the spec (grant request, filed request, delegation read, diagnose) matches its schema', () => {
    const problems: string[] = [];
    let examples = 0;
    type Content = Record<
      string,
      { schema?: Record<string, unknown>; example?: unknown; examples?: Record<string, { value: unknown }> }
    >;
    for (const [path, item] of Object.entries(
      spec.paths as Record<
        string,
        Record<string, { requestBody?: { content?: Content }; responses?: Record<string, { content?: Content }> }>
      >,
    )) {
      for (const [method, op] of Object.entries(item)) {
        const contents = [
          ['body', op.requestBody?.content],
          ...Object.entries(op.responses ?? {}).map(([status, r]) => [status, r.content]),
        ] as [string, Content | undefined][];
        for (const [where, content] of contents) {
          for (const media of Object.values(content ?? {})) {
            const values = [
              ...(media.example !== undefined ? [media.example] : []),
              ...Object.values(media.examples ?? {}).map((e) => e.value),
            ];
            for (const value of values) {
              examples++;
              const problem = media.schema && contract.problemsOf(media.schema, value);
              if (problem) problems.push(`${method.toUpperCase()} ${path} ${where}: ${problem}`);
            }
          }
        }
      }
    }
    expect(problems).toEqual([]);
    expect(examples).toBeGreaterThanOrEqual(5);
  });

  it('every operation has a description, and the error code enum is the code table', () => {
    const undescribed = Object.entries(
      spec.paths as Record<string, Record<string, { summary?: string; description?: string }>>,
    ).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([, op]) => !op.summary && !op.description)
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    expect(undescribed).toEqual([]);
    const detail = (spec.components as { schemas: Record<string, { properties: { code: { enum: string[] } } }> })
      .schemas.ErrorDetailModel;
    expect(detail.properties.code.enum).toEqual(Object.keys(ERROR_STATUS));
  });

  describe('through the supertest helper', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ directory: new StrictFakeDirectory() });
    });
    afterAll(() => t.close());

    it('passes real answers and fails a request whose answer breaks a planted spec, naming the operation', async () => {
      await t.http().get('/api/v1/requests').set(t.admin).expect(200);
      const planted = JSON.parse(JSON.stringify(spec)) as {
        components: { schemas: Record<string, { properties: Record<string, unknown> }> };
      };
      planted.components.schemas.RequestPageModel.properties.nextCursor = { type: 'string' }; // the service sends null
      const strict = contractChecked(t.http(), new ContractValidator(planted as unknown as Record<string, unknown>));
      await expect(strict.get('/api/v1/requests').set(t.admin).expect(200)).rejects.toThrow(
        /GET \/api\/v1\/requests → 200: \/nextCursor must be string/,
      );
      const undocumented = JSON.parse(JSON.stringify(spec)) as {
        paths: Record<string, { get: { responses: Record<string, unknown> } }>;
      };
      delete undocumented.paths['/api/v1/requests'].get.responses['401'];
      await expect(
        contractChecked(t.http(), new ContractValidator(undocumented as unknown as Record<string, unknown>)).get(
          '/api/v1/requests',
        ),
      ).rejects.toThrow(/GET \/api\/v1\/requests → 401: status not documented/);
    });
  });
});

// The contract check: every HTTP answer the tests receive is held against the committed
// openapi/openapi.json (OpenAPI 3.1, i.e. JSON Schema 2020-12) with ajv and ajv-formats. The
// supertest helper (test-app.ts `http()`) and `contractFetch` run it on every response, so no test
// has to remember it. A violation names the operation: method, path template and status.
//
// Stricter than a generated client, on purpose: objects of the spec are closed (a field the spec
// does not name is a violation), a status the operation does not list is a violation, and an error
// body's code must be one that maps to the status it came with.
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_STATUS, type ErrorCode } from '../../src/common/errors/error-codes';

export const OPENAPI_PATH = join(__dirname, '..', '..', 'openapi', 'openapi.json');
const SCHEMA_BASE = 'https://contract.rbcd-broker.test/schemas/';
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;
/** Routes that are not REST operations and so not in the OpenAPI document. */
const NOT_REST = [/^\/graphql$/, /^\/api\/docs(\/.*)?$/];
/** The HTTP platform answers these before any route runs; their body is the contract's error body. */
const PLATFORM_STATUSES: Record<number, ErrorCode[]> = {
  400: ['VALIDATION_FAILED'],
  404: ['NOT_FOUND'],
  413: ['VALIDATION_FAILED'],
  414: ['VALIDATION_FAILED'],
  415: ['VALIDATION_FAILED'],
};

type Schema = Record<string, unknown>;
interface Operation {
  method: string;
  template: string;
  regex: RegExp;
  staticSegments: number;
  responses: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}

export interface ObservedResponse {
  method: string;
  url: string;
  status: number;
  contentType?: string;
  body: unknown;
  /** The raw text, when the body is not JSON. */
  text?: string;
}

export class ContractViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContractViolation';
  }
}

/** Compiled once per document (per Jest worker for the committed one). */
export class ContractValidator {
  private readonly ajv: Ajv2020;
  private readonly operations: Operation[];
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly errorBody: ValidateFunction;

  constructor(document: Schema) {
    if (typeof document.openapi !== 'string' || !document.openapi.startsWith('3.1')) {
      throw new ContractViolation(
        `the contract check reads OpenAPI 3.1 documents (JSON Schema 2020-12), not ${String(document.openapi)}`,
      );
    }
    this.ajv = new Ajv2020({ strict: true, allErrors: true, strictRequired: false, allowUnionTypes: true });
    addFormats(this.ajv);
    // OpenAPI's own annotations on a schema object; anything else unknown (3.0's `nullable`) fails to compile.
    for (const keyword of ['example', 'xml', 'externalDocs', 'discriminator'])
      this.ajv.addKeyword({ keyword, schemaType: ['object', 'string', 'number', 'boolean', 'array', 'null'] });
    const schemas = ((document.components as Schema | undefined)?.schemas ?? {}) as Record<string, Schema>;
    const stale = findKeyword(document, 'nullable');
    // ajv reads OpenAPI 3.0's `nullable` as null-accepting; 3.1 tools ignore it, so null would be refused there.
    if (stale)
      throw new ContractViolation(
        `${stale}: OpenAPI 3.1 has no "nullable" keyword: use ApiNullableProperty (oneOf [..., {type: null}])`,
      );
    for (const [name, schema] of Object.entries(schemas)) this.ajv.addSchema(closed(schema), `${SCHEMA_BASE}${name}`);
    for (const name of Object.keys(schemas)) {
      try {
        this.ajv.getSchema(`${SCHEMA_BASE}${name}`); // compiles now: a schema ajv cannot read fails here, by name
      } catch (error) {
        throw new ContractViolation(`components.schemas.${name}: ${(error as Error).message}`);
      }
    }
    this.operations = operationsOf(document);
    this.errorBody = this.ajv.compile({ $ref: `${SCHEMA_BASE}ErrorModel` });
  }

  static fromFile(path = OPENAPI_PATH): ContractValidator {
    return new ContractValidator(JSON.parse(readFileSync(path, 'utf8')) as Schema);
  }

  /** Every operation as "METHOD /template" (what the coverage check compares with). */
  operationNames(): string[] {
    return this.operations.filter((o) => o.method !== 'HEAD').map((o) => `${o.method} ${o.template}`);
  }

  /** Which operation answered this URL, or undefined (no documented route). */
  operationOf(method: string, url: string): string | undefined {
    const op = this.find(method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase(), pathOf(url));
    return op && `${op.method} ${op.template}`;
  }

  /** Throws a ContractViolation naming the operation when the response is not what the spec says. */
  check(response: ObservedResponse): void {
    const method = response.method.toUpperCase();
    const path = pathOf(response.url);
    if (NOT_REST.some((pattern) => pattern.test(path))) return;
    const head = method === 'HEAD';
    const op = this.find(head ? 'GET' : method, path);
    if (!op) {
      // No documented route: only the router's 404 (or 405-less Fastify's 404 for a wrong method) is fine.
      if (response.status === 404 || (PLATFORM_STATUSES[response.status] && method !== 'OPTIONS'))
        return this.checkPlatformError(`${method} ${path}`, response, head);
      throw new ContractViolation(
        `${method} ${path} → ${response.status}: no operation of the spec has this path and method`,
      );
    }
    const name = `${op.method} ${op.template} → ${response.status}`;
    const key = statusKey(op, response.status);
    if (!key) {
      if (PLATFORM_STATUSES[response.status] && this.isPlatformError(response)) {
        throw new ContractViolation(
          `${name}: status not documented for this operation (the platform's ${response.status}; add it to the operation's @ApiErrors)`,
        );
      }
      throw new ContractViolation(
        `${name}: status not documented (documented: ${Object.keys(op.responses).join(', ')}); body ${preview(response.body ?? response.text)}`,
      );
    }
    const content = op.responses[key].content;
    if (!content || head) {
      if (!head && response.text && response.text.length > 0)
        throw new ContractViolation(`${name}: the spec documents no body, got ${preview(response.text)}`);
      return;
    }
    const mediaType = (response.contentType ?? '').split(';')[0].trim();
    const documented = Object.keys(content);
    if (!documented.includes(mediaType))
      throw new ContractViolation(
        `${name}: content type ${mediaType || '(none)'}, documented ${documented.join(', ')}`,
      );
    const schema = content[mediaType].schema;
    if (!schema) return;
    const body = mediaType === 'application/json' ? response.body : response.text;
    const validate = this.compiledFor(`${op.method} ${op.template} ${key} ${mediaType}`, schema);
    if (!validate(body)) throw new ContractViolation(`${name}: ${describe(validate.errors)}; body ${preview(body)}`);
    if (response.status >= 400 && mediaType === 'application/json') this.checkErrorCode(name, response);
  }

  /** Problems of a value against a schema of the document (examples), or undefined. */
  problemsOf(schema: Schema, value: unknown): string | undefined {
    const validate = this.compiledFor(`example ${JSON.stringify(schema)}`, schema);
    return validate(value) ? undefined : describe(validate.errors);
  }

  private checkPlatformError(name: string, response: ObservedResponse, head: boolean): void {
    if (head) return;
    if (!this.errorBody(response.body))
      throw new ContractViolation(
        `${name} → ${response.status}: ${describe(this.errorBody.errors)}; body ${preview(response.body)}`,
      );
    this.checkErrorCode(`${name} → ${response.status}`, response);
  }

  private isPlatformError(response: ObservedResponse): boolean {
    const code = (response.body as { error?: { code?: string } } | undefined)?.error?.code as ErrorCode | undefined;
    return !!code && (PLATFORM_STATUSES[response.status] ?? []).includes(code);
  }

  /** An error body's code maps to the status it came with (VALIDATION_FAILED also stands for the platform's 413/415). */
  private checkErrorCode(name: string, response: ObservedResponse): void {
    const code = (response.body as { error?: { code?: string } }).error?.code as ErrorCode | undefined;
    if (!code || !(code in ERROR_STATUS)) return; // the schema's enum already said so
    if (ERROR_STATUS[code] === response.status) return;
    if ((PLATFORM_STATUSES[response.status] ?? []).includes(code)) return;
    throw new ContractViolation(
      `${name}: error code ${code} belongs to status ${ERROR_STATUS[code]}, not ${response.status}`,
    );
  }

  private find(method: string, path: string): Operation | undefined {
    return this.operations.find((o) => o.method === method && o.regex.test(path));
  }

  private compiledFor(key: string, schema: Schema): ValidateFunction {
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.ajv.compile(closed(schema));
      this.compiled.set(key, validate);
    }
    return validate;
  }
}

function operationsOf(document: Schema): Operation[] {
  const operations: Operation[] = [];
  for (const [template, item] of Object.entries((document.paths ?? {}) as Record<string, Schema>)) {
    for (const method of METHODS) {
      const op = item[method] as { responses?: Operation['responses'] } | undefined;
      if (!op) continue;
      const segments = template.split('/');
      const regex = new RegExp(`^${segments.map((s) => (/^\{.+\}$/.test(s) ? '[^/]+' : escapeRegex(s))).join('/')}/?$`);
      operations.push({
        method: method.toUpperCase(),
        template,
        regex,
        staticSegments: segments.filter((s) => !s.startsWith('{')).length,
        responses: op.responses ?? {},
      });
    }
  }
  // A static segment wins over a parameter (POST /delegations/plan before /delegations/{target}).
  return operations.sort((a, b) => b.staticSegments - a.staticSegments);
}

function statusKey(op: Operation, status: number): string | undefined {
  const keys = [String(status), `${String(status)[0]}XX`, 'default'];
  return keys.find((k) => k in op.responses);
}

/**
 * A copy of a schema whose objects are closed (additionalProperties: false unless the schema says
 * otherwise) and whose component references point at the registered schemas.
 */
function closed(schema: unknown): Schema {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (!node || typeof node !== 'object') return node;
    const out: Schema = {};
    for (const [key, value] of Object.entries(node as Schema)) {
      if (key === '$ref' && typeof value === 'string') out.$ref = value.replace('#/components/schemas/', SCHEMA_BASE);
      else if (key === 'properties' && value && typeof value === 'object')
        out.properties = Object.fromEntries(Object.entries(value as Schema).map(([k, v]) => [k, walk(v)]));
      else if (key === 'example' || key === 'examples')
        out[key] = value; // data, not schema
      else out[key] = walk(value);
    }
    if (out.properties && !('additionalProperties' in out) && !out.allOf && !out.oneOf && !out.anyOf)
      out.additionalProperties = false;
    return out;
  };
  return walk(schema) as Schema;
}

/** The JSON path of the first schema using `keyword`, if any. */
function findKeyword(node: unknown, keyword: string, path = ''): string | undefined {
  if (!node || typeof node !== 'object') return undefined;
  for (const [key, value] of Object.entries(node as Schema)) {
    if (key === keyword) return path || '(root)';
    if (key === 'example' || key === 'examples') continue;
    const found = findKeyword(value, keyword, path ? `${path}.${key}` : key);
    if (found) return found;
  }
  return undefined;
}

function describe(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .slice(0, 5)
    .map((e) => {
      const where = e.instancePath || '(body)';
      if (e.keyword === 'additionalProperties')
        return `${where} has a field the spec does not name: ${String((e.params as { additionalProperty: string }).additionalProperty)}`;
      if (e.keyword === 'enum')
        return `${where} ${e.message}: ${JSON.stringify((e.params as { allowedValues: unknown[] }).allowedValues)}`;
      return `${where} ${e.message}`;
    })
    .join('; ');
}

function preview(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text === undefined ? '(none)' : text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

function pathOf(url: string): string {
  const path = url.startsWith('/') ? url : new URL(url).pathname;
  return path.split('?')[0];
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

let shared: ContractValidator | undefined;

/** The validator of the committed openapi/openapi.json (loaded once per Jest worker). */
export function committedContract(): ContractValidator {
  shared ??= ContractValidator.fromFile();
  return shared;
}

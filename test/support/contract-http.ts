// Hooks the contract check (contract.ts) into the two ways the tests talk HTTP: supertest (every
// `t.http()` of test-app.ts) and fetch (tests that run the service as its own process). A response
// that breaks the committed OpenAPI fails the request's own assertion chain, naming the operation.
// CONTRACT_REPORT=<file> collects the violations as JSON lines instead of failing (to survey them).
import { appendFileSync } from 'node:fs';
import type request from 'supertest';
import { committedContract, type ContractValidator, type ObservedResponse } from './contract';

type Agent = ReturnType<typeof request>;
/** "METHOD /template status" of every checked answer in this test file (Jest gives each file its own modules). */
const seen = new Set<string>();

export function checkedAnswers(): ReadonlySet<string> {
  return seen;
}
const AGENT_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'del', 'head', 'options']);

interface TestInternals {
  method: string;
  url: string;
  assert(error: unknown, res: unknown, fn?: (error: unknown, res: unknown) => void): void;
}
interface SuperagentResponse {
  status: number;
  headers: Record<string, string | undefined>;
  body: unknown;
  text?: string;
}

/** Violation → Error (or a line in CONTRACT_REPORT); nothing when the response is as documented. */
export function contractProblem(
  observed: ObservedResponse,
  validator: ContractValidator = committedContract(),
): Error | undefined {
  try {
    validator.check(observed);
    const operation = validator.operationOf(observed.method, observed.url);
    if (operation) seen.add(`${operation} ${observed.status}`);
    return undefined;
  } catch (error) {
    const report = process.env.CONTRACT_REPORT;
    if (report) {
      appendFileSync(
        report,
        `${JSON.stringify({ test: expect.getState?.().currentTestName, message: (error as Error).message })}\n`,
      );
      return undefined;
    }
    return error as Error;
  }
}

/** The same supertest agent, whose every request is checked against the contract. */
export function contractChecked(agent: Agent, validator?: ContractValidator): Agent {
  return new Proxy(agent, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof property !== 'string' || !AGENT_METHODS.has(property) || typeof value !== 'function') return value;
      return (...args: unknown[]) =>
        checkedTest((value as (...a: unknown[]) => TestInternals).apply(target, args), validator);
    },
  });
}

function checkedTest(test: TestInternals, validator?: ContractValidator): TestInternals {
  const assert = test.assert.bind(test);
  test.assert = (error, res, fn) =>
    assert(error, res, (assertionError, response) => {
      let problem = assertionError;
      const r = response as SuperagentResponse | undefined;
      if (!problem && r && typeof r.status === 'number') {
        problem = contractProblem(
          {
            method: test.method,
            url: test.url,
            status: r.status,
            contentType: r.headers['content-type'],
            body: r.body,
            text: r.text,
          },
          validator,
        );
      }
      fn?.call(test, problem ?? null, response);
    });
  return test;
}

/**
 * fetch, plus the contract check: the body is read here (JSON when the answer says so) and the
 * Response handed back can still be read by the caller.
 */
export async function contractFetch(
  input: string,
  init?: RequestInit,
  validator?: ContractValidator,
): Promise<Response> {
  const response = await fetch(input, init);
  const text = await response.clone().text();
  const contentType = response.headers.get('content-type') ?? undefined;
  let body: unknown;
  if (contentType?.includes('json') && text) body = JSON.parse(text);
  const problem = contractProblem(
    { method: init?.method ?? 'GET', url: input, status: response.status, contentType, body, text },
    validator,
  );
  if (problem) throw problem;
  return response;
}

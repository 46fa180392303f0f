// The typed client check: test/client/typed-client.ts compiles on its own (tsc --noEmit, strict)
// against the types generated from the committed spec, then runs against the service on the
// sandbox DC: file, approve, apply, read the delegation; every answer also goes through the
// contract check.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { contractProblem } from '../support/contract-http';
import { createComputer, type CreatedComputer, deleteObject, uniqueName } from '../support/sandbox';
import type { TestApp } from '../support/test-app';
import { actors, drainJobs, sandboxApp } from '../support/workflow';
import { fileApproveAndRead } from './typed-client';

const ROOT = join(__dirname, '..', '..');

/** fetch for openapi-fetch (it passes a Request), with the contract check on the answer. */
async function checkedFetch(request: Request): Promise<Response> {
  const response = await fetch(request);
  const text = await response.clone().text();
  const contentType = response.headers.get('content-type') ?? undefined;
  const body = contentType?.includes('json') && text ? JSON.parse(text) : undefined;
  const problem = contractProblem({
    method: request.method,
    url: request.url,
    status: response.status,
    contentType,
    body,
    text,
  });
  if (problem) throw problem;
  return response;
}

describe('typed client from the committed spec', () => {
  it('compiles with tsc --noEmit (strict) against openapi/openapi.d.ts', async () => {
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    await expect(
      promisify(execFile)(process.execPath, [tsc, '-p', join(__dirname, 'tsconfig.json')], { cwd: ROOT }),
    ).resolves.toBeDefined();
  }, 120_000);

  describe('against the service on the sandbox DC', () => {
    let t: TestApp;
    let target: CreatedComputer;
    let baseUrl: string;

    beforeAll(async () => {
      t = await sandboxApp();
      await t.app.listen(0, '127.0.0.1');
      baseUrl = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
      target = await createComputer(uniqueName('TC'));
    });

    afterAll(async () => {
      await t?.close();
      if (target) await deleteObject(target.dn);
    });

    it('files a grant, approves it, waits until it is applied, and reads the delegation in force', async () => {
      const who = await actors(t);
      const key = (h: Record<string, string>) => h.Authorization.replace('Bearer ', '');
      const options = {
        baseUrl,
        requesterKey: key(who.requester),
        approverKey: key(who.approver),
        fetch: checkedFetch,
        wait: () => drainJobs(t),
      };
      const outcome = await fileApproveAndRead(options, {
        target: target.dn,
        principal: 'SERVERB$',
        ticketId: 'CHG42',
      });
      expect(outcome.filed.status).toBe('pending');
      expect(outcome.approved.status).toBe('approved');
      expect(outcome.applied.status).toBe('applied');
      expect(outcome.ticketId).toBe('CHG42');
      expect(outcome.delegation.target.dn).toBe(target.dn);
      expect(outcome.delegation.principals.map((p) => p.samAccountName)).toContain('SERVERB$');
    });
  });
});

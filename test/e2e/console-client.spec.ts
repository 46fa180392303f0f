// The console's API client cannot go stale: it is typed by openapi/openapi.d.ts (which
// test/e2e/api-docs.spec.ts keeps equal to what the code generates), and every call, body and
// answer the console uses is checked by compiling web/ with tsc against those types. An API change
// the console does not follow fails here, before any browser runs.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(__dirname, '..', '..');

describe('the web console against the committed API description', () => {
  it('compiles (tsc --noEmit, strict) against openapi/openapi.d.ts', async () => {
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    await expect(
      promisify(execFile)(process.execPath, [tsc, '-p', join(ROOT, 'web', 'tsconfig.json')], { cwd: ROOT }),
    ).resolves.toBeDefined();
  }, 120_000);

  it('takes its types from the generated file, not from a copy of its own', () => {
    const api = readFileSync(join(ROOT, 'web', 'src', 'api.ts'), 'utf8');
    expect(api).toContain("from '../../openapi/openapi'");
    expect(api).toContain("from 'openapi-fetch'");
  });
});

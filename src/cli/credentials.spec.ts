import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCredentials, saveCredentials } from './credentials';
import { CliFailure } from './exit-codes';

describe('CLI credentials', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rbcd-cred-'));
    env = { RBCD_CREDENTIALS: join(dir, 'credentials.json') };
    saveCredentials({ url: 'https://rbcd.contoso.test', apiKey: 'stored-key' }, env.RBCD_CREDENTIALS);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('the stored key goes to the service it was saved for (trailing slash and case aside)', () => {
    expect(loadCredentials(env)).toEqual({ url: 'https://rbcd.contoso.test', apiKey: 'stored-key' });
    expect(loadCredentials(env, 'https://RBCD.contoso.test/')).toMatchObject({ apiKey: 'stored-key' });
  });

  it('never to another URL named by --url or RBCD_URL', () => {
    const error = (() => {
      try {
        loadCredentials(env, 'https://attacker.example.test');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(CliFailure);
    expect((error as CliFailure).code).toBe('NOT_SIGNED_IN');
    expect(() => loadCredentials({ ...env, RBCD_URL: 'https://attacker.example.test' })).toThrow(/signed in to/);
  });

  it('a key from the environment may go anywhere it is told (automation)', () => {
    expect(loadCredentials({ ...env, RBCD_API_KEY: 'env-key' }, 'https://other.contoso.test')).toEqual({
      url: 'https://other.contoso.test',
      apiKey: 'env-key',
    });
  });
});

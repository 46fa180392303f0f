// The runtime stage of docker/Dockerfile, without a Docker engine: a folder holding only what the
// image holds (production dependencies from `npm ci --omit=dev`, and dist from the build), where
// the compose `migrate` command migrates a fresh PostgreSQL database and `node dist/src/main.js`
// then starts on it and answers REST, GraphQL, the API docs and health. A package the service
// loads at run time but that is only a devDependency fails here (they are removed first).
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contractFetch } from './support/contract-http';
import { startServiceProcess, type ServiceProcess } from './support/service-process';
import { REPO_ROOT } from './support/sandbox';
import { TEST_ADMIN_KEY, testDatabaseUrl } from './support/test-app';
import { SANDBOX_CONFIG } from './support/workflow';

jest.setTimeout(240_000);

/** The compose file's migrate command, word for word. */
function composeMigrateCommand(): string[] {
  const compose = readFileSync(join(REPO_ROOT, 'docker', 'compose.yaml'), 'utf8');
  const line = /^\s{4}command: (\[.*"migration:run"\])$/m.exec(compose);
  if (!line) throw new Error('compose.yaml has no migrate command');
  return JSON.parse(line[1]) as string[];
}

describe('the runtime image contents (production dependencies + dist)', () => {
  const image = mkdtempSync(join(tmpdir(), 'rbcd-image-'));
  let service: ServiceProcess | undefined;
  let databaseUrl: string;

  beforeAll(async () => {
    for (const file of ['package.json', 'package-lock.json']) cpSync(join(REPO_ROOT, file), join(image, file));
    cpSync(join(REPO_ROOT, 'bin'), join(image, 'bin'), { recursive: true });
    // Native addons are not rebuilt here (the image compiles better-sqlite3 in prod-deps): the
    // checkout's build of it is copied in, so the test needs no compiler and stays fast.
    execFileSync('npm', ['ci', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'], {
      cwd: image,
      stdio: 'pipe',
    });
    cpSync(
      join(REPO_ROOT, 'node_modules', 'better-sqlite3', 'build'),
      join(image, 'node_modules', 'better-sqlite3', 'build'),
      { recursive: true },
    );
    // npm also installs a few devDependencies that are optional peers of production packages
    // (ts-node for typeorm, and what it pulls): removed, so the service must start without any.
    // A devDependency that production packages need too (ajv, for Fastify) stays: the lock does not mark it dev.
    const { devDependencies } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    const { packages } = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean; devOptional?: boolean }>;
    };
    for (const name of Object.keys(devDependencies)) {
      const locked = packages[`node_modules/${name}`];
      if (locked && !locked.dev && !locked.devOptional) continue;
      rmSync(join(image, 'node_modules', name), { recursive: true, force: true });
    }
    execFileSync(
      join(REPO_ROOT, 'node_modules', '.bin', 'tsc'),
      ['-p', 'tsconfig.build.json', '--outDir', join(image, 'dist')],
      { cwd: REPO_ROOT, stdio: 'pipe' },
    );
    // The web console, as the image's build stage makes it: vite into dist/web.
    execFileSync(
      process.execPath,
      [join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'web/vite.config.mts'],
      { cwd: REPO_ROOT, env: { ...process.env, RBCD_CONSOLE_OUT_DIR: join(image, 'dist', 'web') }, stdio: 'pipe' },
    );
    databaseUrl = await testDatabaseUrl('postgres');
  });

  afterAll(async () => {
    await service?.stop();
    rmSync(image, { recursive: true, force: true });
  });

  it('migrates PostgreSQL with the compose migrate command, then serves from dist on that schema', async () => {
    const [command, ...args] = composeMigrateCommand();
    expect(command).toBe('node');
    execFileSync(process.execPath, args, {
      cwd: image,
      env: { ...process.env, DATABASE_URL: databaseUrl },
      stdio: 'pipe',
    });

    service = await startServiceProcess(
      {
        NODE_ENV: 'production',
        DATABASE_URL: databaseUrl,
        RBCD_MIGRATE_ON_START: 'false',
        RBCD_CONFIG: SANDBOX_CONFIG,
        RBCD_WORKER: 'off',
      },
      { cwd: image },
    );
    const auth = { Authorization: `Bearer ${TEST_ADMIN_KEY}` };
    const ready = await contractFetch(`${service.url}/health/ready`);
    expect(ready.status).toBe(200);
    const rest = await contractFetch(`${service.url}/api/v1/delegations/SERVERC`, { headers: auth });
    expect(rest.status).toBe(200);
    expect(((await rest.json()) as { target: { samAccountName: string } }).target.samAccountName).toBe('SERVERC$');
    const graphql = await contractFetch(`${service.url}/graphql`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ query: '{ delegation(target: "SERVERC") { target { samAccountName } } }' }),
    });
    expect(await graphql.json()).toEqual({ data: { delegation: { target: { samAccountName: 'SERVERC$' } } } });
    expect((await contractFetch(`${service.url}/api/docs/`)).status).toBe(200);
    expect((await contractFetch(`${service.url}/metrics`)).status).toBe(200);
    // The console at / (no RBCD_CONSOLE_DIR: the build beside dist/src), with its assets.
    const index = await fetch(`${service.url}/`);
    expect([index.status, index.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(await index.text())?.[1];
    expect((await fetch(`${service.url}${asset}`)).status).toBe(200);

    // The CLI from dist (the package bin, no sources and no ts-node in the image): export, verify offline.
    const cli = (...args: string[]) =>
      execFileSync(process.execPath, [join(image, 'bin', 'rbcd.js'), ...args], {
        cwd: image,
        env: {
          PATH: process.env.PATH,
          RBCD_URL: service?.url,
          RBCD_API_KEY: TEST_ADMIN_KEY,
          RBCD_CREDENTIALS: join(image, 'none.json'),
        },
        encoding: 'utf8',
      });
    const exported = join(image, 'audit.jsonl');
    cli('audit', 'export', '--output', exported);
    expect(cli('audit', 'verify', exported, '--json')).toContain('"ok": true');
    expect(JSON.parse(cli('who', 'SERVERC', '--json')).target.samAccountName).toBe('SERVERC$');
  });
});

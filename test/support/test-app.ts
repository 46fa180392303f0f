import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { AppModule } from '../../src/app.module';
import { Clock } from '../../src/common/clock';
import type { AppConfig } from '../../src/config/config.types';
import { discoverDomainNames } from '../../src/config/discover-domains';
import { loadConfig } from '../../src/config/load-config';
import { configureApp, initApp } from '../../src/configure-app';
import { createHttpAdapter } from '../../src/http-adapter';
import { contractChecked } from './contract-http';
import { testDatabasePrefix } from './test-database-prefix';
import { DirectoryPort } from '../../src/directory/directory.port';

export const TEST_ADMIN_KEY = 'test-admin-key-0123456789abcdef';

export type TestDatabase = 'sqlite' | 'postgres';

/** The database URL for a test run: a fresh SQLite file, or a fresh schema-less PostgreSQL database. */
export async function testDatabaseUrl(kind: TestDatabase = 'sqlite'): Promise<string> {
  if (kind === 'sqlite') return `sqlite:${join(mkdtempSync(join(tmpdir(), 'rbcd-test-')), 'rbcd.sqlite')}`;
  const { Client } = await import('pg');
  const admin = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const name = `${testDatabasePrefix()}${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const client = new Client({ connectionString: admin });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}

export interface TestApp {
  app: INestApplication;
  config: AppConfig;
  /** supertest on the app; every response is checked against the committed openapi/openapi.json. */
  http: () => ReturnType<typeof request>;
  /** Authorization header value for the bootstrap admin key. */
  admin: { Authorization: string };
  close: () => Promise<void>;
}

/**
 * Builds the whole service the way main.ts does, from an environment (merged over a test default)
 * and optional config overrides. `directory` replaces the LDAP adapter (unit-style slices only).
 */
export async function createTestApp(
  options: {
    env?: Record<string, string | undefined>;
    config?: Partial<AppConfig>;
    directory?: DirectoryPort;
    /** Replaces the service's clock (a FakeClock moves time for timers, expiry and time-outs). */
    clock?: Clock;
    database?: TestDatabase;
    worker?: boolean;
  } = {},
): Promise<TestApp> {
  const env = {
    DATABASE_URL: await testDatabaseUrl(options.database),
    RBCD_ADMIN_API_KEY: TEST_ADMIN_KEY,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    RBCD_MIGRATE_ON_START: 'true',
    RBCD_JOB_POLL_MS: '100',
    RBCD_JOB_BACKOFF_MS: '50',
    RBCD_WORKER: options.worker ? 'on' : 'off',
    ...options.env,
  };
  const config = await discoverDomainNames({ ...loadConfig(env), ...options.config });
  let builder = Test.createTestingModule({ imports: [AppModule.forRoot(config)] });
  if (options.directory) builder = builder.overrideProvider(DirectoryPort).useValue(options.directory);
  if (options.clock) builder = builder.overrideProvider(Clock).useValue(options.clock);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication(createHttpAdapter(config), { logger: false, rawBody: true });
  configureApp(app);
  try {
    await initApp(app);
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
  return {
    app,
    config,
    http: () => contractChecked(request(app.getHttpServer())),
    admin: { Authorization: `Bearer ${TEST_ADMIN_KEY}` },
    close: () => app.close(),
  };
}

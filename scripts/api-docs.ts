// Renders the API descriptions from the code: openapi/openapi.json (REST), openapi/openapi.d.ts
// (TypeScript types of it, by openapi-typescript, for typed clients) and openapi/schema.graphql
// (GraphQL, code-first). Used by `npm run openapi` and by the test that fails when the committed
// files are stale.
import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { NestFactory } from '@nestjs/core';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { printSchema } from 'graphql';
import { AppModule } from '../src/app.module';
import { loadConfig } from '../src/config/load-config';
import { configureApp } from '../src/configure-app';
import { createHttpAdapter } from '../src/http-adapter';

export async function renderApiDocs(): Promise<{ openapi: string; openapiTypes: string; graphql: string }> {
  const config = loadConfig({ DATABASE_URL: 'sqlite::memory:', LOG_LEVEL: 'silent', RBCD_WORKER: 'off' });
  const app = await NestFactory.create(AppModule.forRoot(config), createHttpAdapter(config), {
    logger: false,
    abortOnError: false,
  });
  try {
    const document = configureApp(app);
    await app.init();
    const schema = app.get(GraphQLSchemaHost).schema;
    const openapi = `${JSON.stringify(document, null, 2)}\n`;
    const openapiTypes = await typesOf(openapi);
    return { openapi, openapiTypes, graphql: `${printSchema(schema)}\n` };
  } finally {
    await app.close();
  }
}

/**
 * openapi-typescript's CLI on the document (its own process: the library loads ES-module-only
 * dependencies, which Jest's CommonJS runtime cannot).
 */
async function typesOf(openapi: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'rbcd-openapi-'));
  try {
    writeFileSync(join(dir, 'openapi.json'), openapi);
    const cli = join(__dirname, '..', 'node_modules', 'openapi-typescript', 'bin', 'cli.js');
    const { stdout } = await promisify(execFile)(process.execPath, [cli, join(dir, 'openapi.json')], {
      maxBuffer: 16 * 1024 * 1024,
    });
    return `// Generated from openapi.json by openapi-typescript (npm run openapi). Do not edit.\n${stdout}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Renders the API descriptions from the code: openapi/openapi.json (REST) and
// openapi/schema.graphql (GraphQL, code-first). Used by `npm run openapi` and by the test that
// fails when the committed files are stale.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { printSchema } from 'graphql';
import { AppModule } from '../src/app.module';
import { loadConfig } from '../src/config/load-config';
import { configureApp } from '../src/configure-app';
import { createHttpAdapter } from '../src/http-adapter';

export async function renderApiDocs(): Promise<{ openapi: string; graphql: string }> {
  const config = loadConfig({ DATABASE_URL: 'sqlite::memory:', LOG_LEVEL: 'silent', RBCD_WORKER: 'off' });
  const app = await NestFactory.create(AppModule.forRoot(config), createHttpAdapter(config), { logger: false, abortOnError: false });
  try {
    const document = configureApp(app);
    await app.init();
    const schema = app.get(GraphQLSchemaHost).schema;
    return { openapi: `${JSON.stringify(document, null, 2)}\n`, graphql: `${printSchema(schema)}\n` };
  } finally {
    await app.close();
  }
}

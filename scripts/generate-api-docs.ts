import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderApiDocs } from './api-docs';

void renderApiDocs().then(({ openapi, graphql }) => {
  const dir = join(__dirname, '..', 'openapi');
  writeFileSync(join(dir, 'openapi.json'), openapi);
  writeFileSync(join(dir, 'schema.graphql'), graphql);
  process.stdout.write('wrote openapi/openapi.json and openapi/schema.graphql\n');
});

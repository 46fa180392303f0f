import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderApiDocs } from './api-docs';

void renderApiDocs().then(({ openapi, openapiTypes, graphql }) => {
  const dir = join(__dirname, '..', 'openapi');
  writeFileSync(join(dir, 'openapi.json'), openapi);
  writeFileSync(join(dir, 'openapi.d.ts'), openapiTypes);
  writeFileSync(join(dir, 'schema.graphql'), graphql);
  process.stdout.write('wrote openapi/openapi.json, openapi/openapi.d.ts and openapi/schema.graphql\n');
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderApiDocs } from '../../scripts/api-docs';

describe('committed API descriptions', () => {
  it('openapi/openapi.json, openapi.d.ts and schema.graphql match the code (run `npm run openapi` when this fails)', async () => {
    const { openapi, openapiTypes, graphql } = await renderApiDocs();
    const dir = join(__dirname, '..', '..', 'openapi');
    expect(readFileSync(join(dir, 'openapi.json'), 'utf8')).toBe(openapi);
    expect(readFileSync(join(dir, 'openapi.d.ts'), 'utf8')).toBe(openapiTypes);
    expect(readFileSync(join(dir, 'schema.graphql'), 'utf8')).toBe(graphql);
  });

  it('describes the contract paths of API.md', async () => {
    const { openapi, graphql } = await renderApiDocs();
    const paths = Object.keys(JSON.parse(openapi).paths);
    for (const path of [
      '/api/v1/delegations/{target}',
      '/api/v1/delegations',
      '/api/v1/inventory',
      '/api/v1/delegations/plan',
      '/api/v1/requests',
      '/api/v1/requests/{id}/approve',
      '/api/v1/diagnose',
      '/api/v1/audit',
      '/api/v1/audit/verify',
      '/api/v1/api-keys',
    ]) {
      expect(paths).toContain(path);
    }
    for (const field of [
      'delegation(',
      'delegationsForPrincipal(',
      'inventory(',
      'planDelegation(',
      'diagnose(',
      'requestDelegation(',
      'approveRequest(',
      'auditEvents(',
    ]) {
      expect(graphql).toContain(field);
    }
  });
});

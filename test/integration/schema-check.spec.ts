// PostgreSQL migrates as a deploy step: a service started on a schema that is behind refuses to
// start with one clear line; after `migration:run` it starts.
import { DataSource } from 'typeorm';
import { ConfigError } from '../../src/config/config.error';
import { readDatabase } from '../../src/config/load-config';
import { buildDataSourceOptions } from '../../src/database/data-source-options';
import { createTestApp, testDatabaseUrl } from '../support/test-app';

describe('schema check on PostgreSQL', () => {
  it('refuses a schema with pending migrations, starts once they ran', async () => {
    const url = await testDatabaseUrl('postgres');
    await expect(createTestApp({ env: { DATABASE_URL: url, RBCD_MIGRATE_ON_START: 'false' } })).rejects.toThrow(
      ConfigError,
    );
    const ds = new DataSource(buildDataSourceOptions(readDatabase(url)));
    await ds.initialize();
    await ds.runMigrations();
    await ds.destroy();
    const t = await createTestApp({ env: { DATABASE_URL: url, RBCD_MIGRATE_ON_START: 'false' } });
    await t.http().get('/health/live').expect(200);
    await t.close();
  });
});

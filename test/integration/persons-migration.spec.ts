// Migration 1764300000000 (persons and owners) up and down on SQLite and PostgreSQL: approvals
// written before it keep counting by their credential (person_key = approver), the unique index
// holds one row per person and request, and down removes what up added.
import { DataSource } from 'typeorm';
import { readDatabase } from '../../src/config/load-config';
import { buildDataSourceOptions } from '../../src/database/data-source-options';
import { testDatabaseUrl, type TestDatabase } from '../support/test-app';

const MIGRATION = 'PersonsAndOwners1764300000000';

describe.each<TestDatabase>(['sqlite', 'postgres'])('migration %s: persons and owners', (kind) => {
  let ds: DataSource;

  beforeAll(async () => {
    ds = new DataSource(buildDataSourceOptions(readDatabase(await testDatabaseUrl(kind))));
    await ds.initialize();
    await ds.runMigrations();
  });

  afterAll(async () => {
    await ds?.destroy();
  });

  const p = (i: number) => (kind === 'postgres' ? `$${i}` : '?');
  const columns = async (table: string) =>
    (await ds.createQueryRunner().getTable(table))?.columns.map((c) => c.name) ?? [];

  it('down removes the columns and the index; up again backfills person_key and enforces one row per person', async () => {
    while ((await ds.query('SELECT name FROM migrations')).some((m: { name: string }) => m.name === MIGRATION))
      await ds.undoLastMigration();
    expect(await columns('approvals')).not.toContain('person_key');
    expect(await columns('requests')).not.toContain('requester_person');
    expect(await columns('api_keys')).not.toContain('owner');
    await ds.query(
      "INSERT INTO requests (id, status, action, targets, principals, requester, requester_name, justification, required_approvals, created_at, updated_at, version) VALUES ('req-1', 'pending', 'grant', '[]', '[]', 'slack:UOLD', 'old', 'x', 2, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', 1)",
    );
    await ds.query(
      `INSERT INTO approvals (id, request_id, approver, approver_name, decision, comment, created_at) VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, 'approve', NULL, ${p(5)})`,
      ['00000000-0000-0000-0000-000000000001', 'req-1', 'slack:UOLD', 'old', '2026-01-01T00:00:00.000Z'],
    );
    await ds.runMigrations();
    expect(await columns('approvals')).toEqual(expect.arrayContaining(['via', 'person', 'person_key', 'owner_of']));
    expect(await columns('requests')).toEqual(
      expect.arrayContaining(['requester_via', 'requester_person', 'requested_for_person', 'owner_approvals']),
    );
    expect(await columns('api_keys')).toEqual(expect.arrayContaining(['owner', 'owner_person']));
    expect(await ds.query('SELECT person_key FROM approvals')).toEqual([{ person_key: 'slack:UOLD' }]);
    const insert = (id: string, approver: string) =>
      ds.query(
        `INSERT INTO approvals (id, request_id, approver, approver_name, decision, created_at, person_key) VALUES (${p(1)}, 'req-1', ${p(2)}, 'x', 'approve', '2026-01-01T00:00:00.000Z', ${p(3)})`,
        [id, approver, 'sid:S-1-5-21-1-2-3-1001'],
      );
    await insert('00000000-0000-0000-0000-000000000002', 'oidc:alice');
    // The same person through another channel: refused by the database itself.
    await expect(insert('00000000-0000-0000-0000-000000000003', 'slack:UALICE')).rejects.toThrow(/unique|UNIQUE/);
  });
});

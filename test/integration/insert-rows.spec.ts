// insertRows (src/database/insert-rows.ts) stores exactly what TypeORM's insert()/upsert() stores:
// the same rows through both, read back raw and through the entity, on SQLite and PostgreSQL. The
// tables are the real ones, migrated as the service migrates them.
import { DataSource } from 'typeorm';
import { AuditEventEntity } from '../../src/audit/audit-event.entity';
import { readDatabase } from '../../src/config/load-config';
import { buildDataSourceOptions } from '../../src/database/data-source-options';
import { insertRows } from '../../src/database/insert-rows';
import { DirectoryIntentEntity } from '../../src/directory-writes/directory-intent.entity';
import { GrantEntity } from '../../src/grants/grant.entity';
import { WriterBaselineEntity } from '../../src/policy/writer-baseline.entity';
import { type TestDatabase, testDatabaseUrl } from '../support/test-app';

const AT = '2026-12-01T10:00:00.000Z';

function grant(id: string, extra: Partial<GrantEntity> = {}): GrantEntity {
  return {
    id,
    requestId: '00000000-0000-4000-8000-000000000001',
    targetSid: `S-1-5-21-1-2-3-${id.slice(-4)}`,
    targetDn: `CN=O'Brien\\, Pat ${id},OU=Servers,DC=contoso,DC=test`,
    targetDomain: 'contoso.test',
    principalSid: 'S-1-5-21-1-2-3-1105',
    state: 'active',
    aceAddedByService: true,
    adopted: false,
    createdAt: AT,
    expiresAt: null,
    endedAt: null,
    ...extra,
  } as GrantEntity;
}

describe.each<TestDatabase>(['sqlite', 'postgres'])('insertRows on %s', (database) => {
  let ds: DataSource;

  beforeAll(async () => {
    ds = new DataSource(buildDataSourceOptions(readDatabase(await testDatabaseUrl(database))));
    await ds.initialize();
    await ds.runMigrations();
  });
  afterAll(() => ds.destroy());

  const raw = (table: string, key: string) =>
    ds.query(`SELECT * FROM ${table} ORDER BY ${key}`) as Promise<Record<string, unknown>[]>;

  it('stores grants (booleans, nulls, quotes) as insert() does', async () => {
    const rows = [grant('a-0001'), grant('a-0002', { aceAddedByService: false, adopted: true, expiresAt: AT })];
    await ds.transaction((m) => m.getRepository(GrantEntity).insert(rows));
    const viaTypeorm = await raw('grants', 'id');
    await ds.query('DELETE FROM grants');
    await ds.transaction((m) => insertRows(m, GrantEntity, rows));
    expect(await raw('grants', 'id')).toEqual(viaTypeorm);
    expect(await ds.getRepository(GrantEntity).find({ order: { id: 'ASC' } })).toEqual(rows);
  });

  it('stores simple-json columns and many rows in several statements', async () => {
    const intents: DirectoryIntentEntity[] = Array.from({ length: 7 }, (_, i) => ({
      id: `00000000-0000-4000-8000-00000000010${i}`,
      requestId: null,
      action: 'grant',
      operation: 'add',
      targetSid: `S-1-5-21-1-2-3-${2000 + i}`,
      targetDn: `CN=S${i},DC=contoso,DC=test`,
      targetDomain: 'contoso.test',
      principals: ['S-1-5-21-1-2-3-1105', 'S-1-5-21-1-2-3-1106'],
      inForceBefore: i % 2 ? [] : ['S-1-5-21-1-2-3-1107'],
      valueBefore: i % 2 ? null : 'AQAEgBQAAAAAAAAA',
      state: 'pending',
      valueAfter: null,
      actor: 'system',
      createdAt: AT,
      finishedAt: null,
    }));
    await ds.transaction((m) => insertRows(m, DirectoryIntentEntity, intents, { chunk: 3 }));
    expect(await ds.getRepository(DirectoryIntentEntity).find({ order: { id: 'ASC' } })).toEqual(intents);

    const events: AuditEventEntity[] = [1, 2].map((seq) => ({
      seq,
      id: `00000000-0000-4000-8000-00000000020${seq}`,
      at: AT,
      actor: 'apikey:ticketing',
      type: 'directory.write',
      requestId: null,
      target: null,
      data: { nested: { list: [1, 'two', null] }, quote: `it's "quoted"` },
      prevHash: '0'.repeat(64),
      hash: String(seq).repeat(64),
    }));
    await ds.transaction((m) => insertRows(m, AuditEventEntity, events));
    expect(await ds.getRepository(AuditEventEntity).find({ order: { seq: 'ASC' } })).toEqual(events);
  });

  it('upserts on the key as upsert() does: a new row is added, an existing one replaced', async () => {
    const first: WriterBaselineEntity = {
      targetSid: 'S-1-5-21-1-2-3-3001',
      writers: [],
      recordedBy: 'reconcile',
      recordedAt: AT,
    } as WriterBaselineEntity;
    await ds.getRepository(WriterBaselineEntity).insert(first);
    const replaced = {
      ...first,
      writers: [{ sid: 'S-1-5-21-1-2-3-1200', via: 'ACE', rights: ['WriteProperty'] }],
      recordedBy: 'apply',
    } as WriterBaselineEntity;
    const added = { ...first, targetSid: 'S-1-5-21-1-2-3-3002' } as WriterBaselineEntity;
    await ds.transaction((m) => insertRows(m, WriterBaselineEntity, [replaced, added], { upsertOn: ['targetSid'] }));
    expect(await ds.getRepository(WriterBaselineEntity).find({ order: { targetSid: 'ASC' } })).toEqual([
      replaced,
      added,
    ]);
  });

  it('refuses a row with a column left undefined, and writes nothing of its statement', async () => {
    const incomplete = { ...grant('b-0001'), adopted: undefined } as unknown as GrantEntity;
    await expect(ds.transaction((m) => insertRows(m, GrantEntity, [grant('b-0002'), incomplete]))).rejects.toThrow(
      'GrantEntity.adopted is undefined',
    );
    expect(await ds.getRepository(GrantEntity).countBy({ id: 'b-0002' })).toBe(0);
  });
});

import { TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

// Grants in time (issue 13): a request may start later (starts_at, status `scheduled`), extend
// another grant (extends_request_id; merged_into when it moved that grant's expiry). The timers
// themselves are jobs (kind `timer`, run_at the moment they fire): no table of their own.
const text = (name: string, length: number) =>
  new TableColumn({ name, type: 'varchar', length: String(length), isNullable: true });

export class GrantsInTime1764500000000 implements MigrationInterface {
  name = 'GrantsInTime1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('requests', [
      text('starts_at', 24),
      text('extends_request_id', 36),
      text('merged_into', 36),
    ]);
    await queryRunner.createIndex(
      'requests',
      new TableIndex({ name: 'IDX_requests_extends', columnNames: ['extends_request_id'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('requests', 'IDX_requests_extends');
    for (const column of ['merged_into', 'extends_request_id', 'starts_at'])
      await queryRunner.dropColumn('requests', column);
  }
}

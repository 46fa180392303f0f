import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

// The writers outside Tier 0 of each granted target, as recorded at apply or at the last
// reconciliation: the reconciler reports WRITER_ADDED for a writer gained since, not for one that
// was there before the grant.
export class WriterBaselines1765000000000 implements MigrationInterface {
  name = 'WriterBaselines1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'writer_baselines',
        columns: [
          { name: 'target_sid', type: 'varchar', length: '184', isPrimary: true },
          { name: 'writers', type: 'text', isNullable: false },
          { name: 'recorded_by', type: 'varchar', length: '16', isNullable: false },
          { name: 'recorded_at', type: 'varchar', length: '24', isNullable: false },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('writer_baselines');
  }
}

import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

// State that every replica must see: the rate limit of changes per caller, and the chat request
// signatures already accepted (replay protection). Before this, both lived in process memory.
const text = (name: string, length: number) => ({ name, type: 'varchar', length: String(length), isNullable: false });

export class SharedLimits1764100000000 implements MigrationInterface {
  name = 'SharedLimits1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'rate_limit_hits',
        columns: [{ ...text('id', 36), isPrimary: true }, text('identity', 200), text('at', 24)],
        indices: [new TableIndex({ name: 'IDX_rate_limit_hits_identity_at', columnNames: ['identity', 'at'] })],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'seen_signatures',
        columns: [{ ...text('signature', 128), isPrimary: true }, text('forget_after', 24)],
        indices: [new TableIndex({ name: 'IDX_seen_signatures_forget_after', columnNames: ['forget_after'] })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('seen_signatures');
    await queryRunner.dropTable('rate_limit_hits');
  }
}

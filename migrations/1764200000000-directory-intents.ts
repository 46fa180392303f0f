import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

// Issue 19: every directory write is announced by a durable intent committed before the LDAP
// compare-and-swap, and closed by its outcome afterwards (src/directory-writes/).
const text = (name: string, length: number, nullable = false) => ({
  name,
  type: 'varchar',
  length: String(length),
  isNullable: nullable,
});
const long = (name: string, nullable = false) => ({ name, type: 'text', isNullable: nullable });

export class DirectoryIntents1764200000000 implements MigrationInterface {
  name = 'DirectoryIntents1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'directory_intents',
        columns: [
          { ...text('id', 36), isPrimary: true },
          text('request_id', 36, true),
          text('action', 16),
          text('operation', 8),
          text('target_sid', 184),
          text('target_dn', 1024),
          text('target_domain', 255),
          long('principals'),
          long('in_force_before'),
          long('value_before', true),
          text('state', 8),
          long('value_after', true),
          text('actor', 200),
          text('created_at', 24),
          text('finished_at', 24, true),
        ],
        indices: [
          new TableIndex({ name: 'IDX_directory_intents_state', columnNames: ['state'] }),
          new TableIndex({ name: 'IDX_directory_intents_request', columnNames: ['request_id'] }),
          new TableIndex({ name: 'IDX_directory_intents_target', columnNames: ['target_sid', 'state'] }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('directory_intents');
  }
}

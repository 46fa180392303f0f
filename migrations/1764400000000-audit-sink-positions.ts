import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

// Where each audit sink (YAML audit.sinks) stands in the chain: the last event it acknowledged,
// its failures, and a lease so that one replica at a time delivers to a sink (chain order).
const text = (name: string, length: number, isNullable = false) => ({
  name,
  type: 'varchar',
  length: String(length),
  isNullable,
});
const int = (name: string) => ({ name, type: 'integer', isNullable: false, default: 0 });

export class AuditSinkPositions1764400000000 implements MigrationInterface {
  name = 'AuditSinkPositions1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'audit_sink_positions',
        columns: [
          { ...text('sink', 100), isPrimary: true },
          int('delivered_seq'),
          int('generation'),
          int('consecutive_failures'),
          int('total_failures'),
          { name: 'last_error', type: 'text', isNullable: true },
          text('last_attempt_at', 24, true),
          text('last_delivered_at', 24, true),
          text('next_attempt_at', 24, true),
          text('lease_owner', 100, true),
          text('lease_until', 24, true),
          text('updated_at', 24),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('audit_sink_positions');
  }
}

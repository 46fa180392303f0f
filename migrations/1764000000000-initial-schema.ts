import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

// Portable column helpers: the same migration runs on SQLite and PostgreSQL.
// Timestamps are ISO 8601 UTC strings (fixed width, so they sort and compare as text).
const id = (name = 'id') => ({ name, type: 'varchar', length: '36', isPrimary: true });
const text = (name: string, length: number, nullable = false) => ({
  name,
  type: 'varchar',
  length: String(length),
  isNullable: nullable,
});
const time = (name: string, nullable = false) => text(name, 24, nullable);
const json = (name: string, nullable = false) => ({ name, type: 'text', isNullable: nullable });

export class InitialSchema1764000000000 implements MigrationInterface {
  name = 'InitialSchema1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'api_keys',
        columns: [
          id(),
          text('name', 100),
          json('roles'),
          text('prefix', 16),
          text('key_hash', 64),
          { name: 'may_act_on_behalf', type: 'boolean', default: false },
          text('created_by', 200),
          time('created_at'),
          time('last_used_at', true),
          time('revoked_at', true),
        ],
        indices: [new TableIndex({ name: 'IDX_api_keys_prefix', columnNames: ['prefix'], isUnique: true })],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'requests',
        columns: [
          id(),
          text('status', 16),
          text('action', 8),
          json('targets'),
          json('principals'),
          text('requester', 200),
          text('requester_name', 200),
          text('requested_for', 200, true),
          { name: 'justification', type: 'text' },
          json('ticket', true),
          { name: 'duration_seconds', type: 'integer', isNullable: true },
          time('expires_at', true),
          { name: 'required_approvals', type: 'integer' },
          json('result', true),
          text('idempotency_key', 200, true),
          time('created_at'),
          time('updated_at'),
          time('applied_at', true),
          time('closed_at', true),
          { name: 'version', type: 'integer' },
        ],
        indices: [
          new TableIndex({
            name: 'IDX_requests_idempotency',
            columnNames: ['requester', 'idempotency_key'],
            isUnique: true,
          }),
          new TableIndex({ name: 'IDX_requests_status', columnNames: ['status'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'approvals',
        columns: [
          id(),
          text('request_id', 36),
          text('approver', 200),
          text('approver_name', 200),
          text('decision', 8),
          { name: 'comment', type: 'text', isNullable: true },
          time('created_at'),
        ],
        indices: [
          new TableIndex({
            name: 'IDX_approvals_request_approver',
            columnNames: ['request_id', 'approver'],
            isUnique: true,
          }),
        ],
        foreignKeys: [{ columnNames: ['request_id'], referencedTableName: 'requests', referencedColumnNames: ['id'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'jobs',
        columns: [
          id(),
          text('kind', 16),
          text('request_id', 36, true),
          json('payload'),
          text('status', 8),
          { name: 'attempts', type: 'integer' },
          time('run_at'),
          text('lease_owner', 100, true),
          time('lease_until', true),
          { name: 'last_error', type: 'text', isNullable: true },
          time('created_at'),
          time('updated_at'),
        ],
        indices: [
          new TableIndex({ name: 'IDX_jobs_due', columnNames: ['status', 'run_at'] }),
          new TableIndex({ name: 'IDX_jobs_request', columnNames: ['request_id'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'grants',
        columns: [
          id(),
          text('request_id', 36),
          text('target_sid', 184),
          text('target_dn', 1024),
          text('target_domain', 255),
          text('principal_sid', 184),
          text('state', 8),
          { name: 'ace_added_by_service', type: 'boolean' },
          time('created_at'),
          time('expires_at', true),
          time('ended_at', true),
        ],
        indices: [
          new TableIndex({ name: 'IDX_grants_pair', columnNames: ['target_sid', 'principal_sid', 'state'] }),
          new TableIndex({ name: 'IDX_grants_request', columnNames: ['request_id'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'audit_events',
        columns: [
          { name: 'seq', type: 'integer', isPrimary: true },
          text('id', 36),
          time('at'),
          text('actor', 200),
          text('type', 64),
          text('request_id', 36, true),
          text('target', 1024, true),
          json('data'),
          text('prev_hash', 64),
          text('hash', 64),
        ],
        indices: [
          new TableIndex({ name: 'IDX_audit_request', columnNames: ['request_id'] }),
          new TableIndex({ name: 'IDX_audit_at', columnNames: ['at'] }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['audit_events', 'grants', 'jobs', 'approvals', 'requests', 'api_keys']) {
      await queryRunner.dropTable(table);
    }
  }
}

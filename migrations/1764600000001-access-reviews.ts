import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

// Issue 14 §4: access review campaigns (a snapshot of RBCD entries in scope) and their items
// (keep / remove, who decided and when, the request each decision filed).
const text = (name: string, length: number, isNullable = false) => ({
  name,
  type: 'varchar',
  length: String(length),
  isNullable,
});
const long = (name: string, isNullable = true) => ({ name, type: 'text', isNullable });

export class AccessReviews1764600000001 implements MigrationInterface {
  name = 'AccessReviews1764600000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'review_campaigns',
        columns: [
          { ...text('id', 36), isPrimary: true },
          long('scope', false),
          long('reviewers', false),
          text('due_at', 24),
          text('default_decision', 8),
          text('next_review_in', 40),
          text('status', 8),
          text('created_by', 200),
          text('created_at', 24),
          text('closed_at', 24, true),
        ],
      }),
    );
    await queryRunner.createIndex(
      'review_campaigns',
      new TableIndex({ name: 'IDX_review_campaigns_status', columnNames: ['status', 'due_at'] }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'review_items',
        columns: [
          { ...text('id', 36), isPrimary: true },
          text('campaign_id', 36),
          text('kind', 8),
          text('target_sid', 184),
          text('target_dn', 1024),
          text('target_name', 256),
          text('target_domain', 255),
          text('principal_sid', 184),
          text('principal_name', 256, true),
          text('grant_request_id', 36, true),
          text('origin', 16, true),
          text('decision', 8, true),
          long('comment'),
          text('decided_by', 200, true),
          text('decided_by_name', 200, true),
          text('decided_at', 24, true),
          text('decided_via', 8, true),
          text('follow_up_request_id', 36, true),
          text('next_review_at', 24, true),
          long('follow_up_error'),
        ],
      }),
    );
    await queryRunner.createIndex(
      'review_items',
      new TableIndex({ name: 'IDX_review_items_campaign', columnNames: ['campaign_id'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('review_items');
    await queryRunner.dropTable('review_campaigns');
  }
}

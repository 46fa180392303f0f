import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

// Issue 14: adopted grants and break-glass requests.
// - grants.adopted: the grant owns an ACE the service did not write (expiry and revoke remove it).
// - requests.emergency / review_due_at / review / escalated_at: a break-glass request, applied without
//   approvals, and its post-hoc review; requests.next_review_at: when a standing adoption is due again.
const text = (name: string, length: number) =>
  new TableColumn({ name, type: 'varchar', length: String(length), isNullable: true });
const flag = (name: string) => new TableColumn({ name, type: 'boolean', isNullable: false, default: false });

export class AdoptionAndBreakGlass1764600000000 implements MigrationInterface {
  name = 'AdoptionAndBreakGlass1764600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('grants', [flag('adopted')]);
    await queryRunner.addColumns('requests', [
      flag('emergency'),
      text('review_due_at', 24),
      new TableColumn({ name: 'review', type: 'text', isNullable: true }),
      text('escalated_at', 24),
      text('next_review_at', 24),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumns('requests', [
      'next_review_at',
      'escalated_at',
      'review',
      'review_due_at',
      'emergency',
    ]);
    await queryRunner.dropColumns('grants', ['adopted']);
  }
}

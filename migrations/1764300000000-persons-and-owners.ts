import { TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

// Issue 17: the person behind every credential, and resource-owner approvals.
// - api_keys.owner / owner_person: a person's key (no owner: a system key).
// - requests.requester_via / requester_person / requested_for_person: who filed, through which
//   channel, for whom; requests.owner_approvals: the owners each target needs an approval from.
// - approvals.via / person / person_key / owner_of: who approved, as a person; the unique index on
//   (request_id, person_key) makes one person one approver whatever channel they use. Existing rows
//   get person_key = approver (the credential id they were compared by before).
const text = (name: string, length: number, nullable = true) =>
  new TableColumn({ name, type: 'varchar', length: String(length), isNullable: nullable });
const json = (name: string) => new TableColumn({ name, type: 'text', isNullable: true });

export class PersonsAndOwners1764300000000 implements MigrationInterface {
  name = 'PersonsAndOwners1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('api_keys', [text('owner', 200), json('owner_person')]);
    await queryRunner.addColumns('requests', [
      text('requester_via', 16),
      json('requester_person'),
      json('requested_for_person'),
      json('owner_approvals'),
    ]);
    await queryRunner.addColumns('approvals', [
      text('via', 16),
      json('person'),
      new TableColumn({ name: 'person_key', type: 'varchar', length: '200', isNullable: false, default: "''" }),
      json('owner_of'),
    ]);
    await queryRunner.query('UPDATE approvals SET person_key = approver');
    await queryRunner.createIndex(
      'approvals',
      new TableIndex({
        name: 'IDX_approvals_request_person',
        columnNames: ['request_id', 'person_key'],
        isUnique: true,
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('approvals', 'IDX_approvals_request_person');
    await queryRunner.dropColumns('approvals', ['owner_of', 'person_key', 'person', 'via']);
    await queryRunner.dropColumns('requests', [
      'owner_approvals',
      'requested_for_person',
      'requester_person',
      'requester_via',
    ]);
    await queryRunner.dropColumns('api_keys', ['owner_person', 'owner']);
  }
}

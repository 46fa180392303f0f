// The DirectoryPort of HTTP tests that exercise the transport (auth, chat, webhooks) rather than
// LDAP: the strict FakeDirectory of the unit tests, holding a few CONTOSO accounts. Reads answer;
// a write is not allowed, so a test that would write to the directory fails loudly.
import type { DcStatus } from '../../src/directory/directory.types';
import { account, CONTOSO } from '../../src/directory/testing/accounts';
import { FakeDirectory } from '../../src/directory/testing/fake-directory';

const ACCOUNTS = [
  account('SERVERB', 2101),
  account('SERVERC', 2102),
  account('SERVERD', 2103),
  account('alice', 2201, { user: true }),
  account('bob', 2202, { user: true }),
];
const DOMAIN_COMPUTERS = `${CONTOSO.domainSid}-515`;

export class StrictFakeDirectory extends FakeDirectory {
  constructor() {
    super(
      {
        domains: [CONTOSO],
        objects: ACCOUNTS,
        groups: Object.fromEntries(ACCOUNTS.map((a) => [a.sid, [DOMAIN_COMPUTERS]])),
      },
      [
        'domains',
        'resolve',
        'resolveSids',
        'groupSids',
        'readRbcd',
        'search',
        'status',
        'readSecurityDescriptor',
        'nestedMembers',
        'machineAccountQuota',
      ],
    );
  }

  /** One DC that answers, so /health/ready is green. */
  override async status(): Promise<DcStatus[]> {
    await super.status();
    return [{ domain: CONTOSO.name, url: 'ldaps://fake.invalid:636', ok: true, latencyMs: 0 }];
  }
}

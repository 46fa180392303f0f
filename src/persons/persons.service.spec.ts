import { DomainError } from '../common/errors/domain-error';
import { account, CONTOSO, FABRIKAM } from '../directory/testing/accounts';
import { FakeDirectory } from '../directory/testing/fake-directory';
import { PersonsService } from './persons.service';

const APPROVERS = account('RBCD Approvers', 3001, {
  user: true,
  objectClass: ['top', 'group'],
  samAccountName: 'RBCD Approvers',
});
const alice = account('alice', 1101, { user: true, mail: 'alice.smith@contoso.test' });
const bob = account('bob', 1102, { user: true });
const disabled = account('dora', 1103, { user: true, userAccountControl: 0x202 });
const fabBob = account('bob', 1201, { user: true, domain: FABRIKAM.name });

function service(
  objects = [alice, bob, disabled, APPROVERS, account('SERVERC', 2102)],
  groups: Record<string, string[]> = { [alice.sid]: [APPROVERS.sid] },
) {
  const directory = new FakeDirectory({ domains: [CONTOSO, FABRIKAM], objects, groups }, [
    'domains',
    'search',
    'resolve',
    'groupSids',
  ]);
  const persons = new PersonsService(directory, {
    roles: { fromGroups: { approver: [APPROVERS.dn] }, groupCacheMs: 60_000 },
  });
  return { directory, persons };
}

async function code(attempt: Promise<unknown>): Promise<{ code: string; reason?: unknown }> {
  const error = await attempt.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof DomainError)) throw error ?? new Error('expected a DomainError');
  return { code: error.code, reason: error.details?.reason };
}

describe('PersonsService', () => {
  it('finds exactly one user by UPN, mail, sAMAccountName, DOMAIN\\name or SID', async () => {
    const { persons } = service();
    for (const name of ['alice@contoso.test', 'alice.smith@contoso.test', 'alice', 'CONTOSO\\alice', alice.sid]) {
      expect(await persons.resolveUser(name)).toEqual({
        key: `sid:${alice.sid}`,
        kind: 'directory',
        sid: alice.sid,
        upn: 'alice@contoso.test',
        name: 'alice',
        domain: 'contoso.test',
        dn: alice.dn,
      });
    }
  });

  it('an OIDC claim is looked up by its own attribute only', async () => {
    const { persons } = service();
    expect((await persons.resolveUser('alice.smith@contoso.test', 'email')).name).toBe('alice');
    expect(await code(persons.resolveUser('alice', 'email'))).toEqual({
      code: 'PERSON_NOT_RESOLVED',
      reason: 'not-found',
    });
    expect((await persons.resolveUser('alice', 'preferred_username')).name).toBe('alice');
    expect((await persons.resolveUser('alice@contoso.test', 'preferred_username')).name).toBe('alice');
    expect(await code(persons.resolveUser('alice.smith@contoso.test', 'upn'))).toEqual({
      code: 'PERSON_NOT_RESOLVED',
      reason: 'not-found',
    });
  });

  it('refuses no match, a computer, a disabled user, and a name two domains share (never a guess)', async () => {
    const { persons } = service([alice, bob, disabled, fabBob, account('SERVERC', 2102)]);
    expect(await code(persons.resolveUser('ghost'))).toEqual({ code: 'PERSON_NOT_RESOLVED', reason: 'not-found' });
    expect(await code(persons.resolveUser('SERVERC$'))).toEqual({ code: 'PERSON_NOT_RESOLVED', reason: 'not-found' });
    expect(await code(persons.resolveUser('dora'))).toEqual({ code: 'PERSON_NOT_RESOLVED', reason: 'disabled' });
    expect(await code(persons.resolveUser('bob'))).toEqual({ code: 'PERSON_NOT_RESOLVED', reason: 'ambiguous' });
    expect((await persons.resolveUser('bob@fabrikam.test')).domain).toBe('fabrikam.test');
    expect(await code(persons.resolveUser('x)(cn=*'))).toEqual({ code: 'PERSON_NOT_RESOLVED', reason: 'not-found' });
  });

  it('gives roles from AD groups (transitive tokenGroups), cached', async () => {
    const { persons, directory } = service();
    const a = await persons.resolveUser('alice');
    const b = await persons.resolveUser('bob');
    expect(await persons.rolesFromGroups(a)).toEqual(['approver']);
    expect(await persons.rolesFromGroups(b)).toEqual([]);
    const principal = await persons.withGroupRoles({
      id: 'oidc:1',
      name: 'alice',
      roles: ['requester'],
      via: 'oidc',
      person: a,
    });
    expect(principal.roles).toEqual(['requester', 'approver']);
    const calls = directory.callsOf('groupSids').length;
    await persons.rolesFromGroups(a);
    expect(directory.callsOf('groupSids').length).toBe(calls);
  });
});

import type { AppConfig } from '../config/config.types';
import { loadConfig } from '../config/load-config';
import type { DirectoryObject } from '../directory/directory.types';
import { account, CONTOSO, FABRIKAM, rbcdValue } from '../directory/testing/accounts';
import { FakeDirectory } from '../directory/testing/fake-directory';
import { OwnersService } from '../owners/owners.service';
import { PersonsService } from '../persons/persons.service';
import { BuiltinGuard } from '../policy/builtin-guard.service';
import { WritersService } from '../policy/writers.service';
import { PolicyService } from '../policy/policy.service';
import { DelegationPlanner } from './delegation-planner';
import { DelegationReader } from './delegation-reader';
import { TargetExpander } from './target-expander';

const config: AppConfig = {
  ...loadConfig({ DATABASE_URL: 'sqlite::memory:' }),
  policy: {
    defaults: { requiredApprovals: 1, maxDuration: 'P30D', requireTicket: false },
    rules: [
      { match: { targetDnSuffix: 'OU=Tier0,DC=contoso,DC=test' }, deny: 'Tier 0 assets never accept delegation' },
      { match: { targetDnSuffix: 'OU=Servers,DC=contoso,DC=test' }, requiredApprovals: 2 },
    ],
  },
};

const web = account('WEB01', 1301);
const app = account('APP01', 1302);
const remote = account('FABWEB', 1103, { domain: 'fabrikam.test' });
const SDDL_WEB = `(A;;0xf01ff;;;${web.sid})`;

/** The built-in principal checks for real; Tier 0 membership of targets has its own tests (none here). */
function guardOver(directory: FakeDirectory): BuiltinGuard {
  const guard = new BuiltinGuard(directory, new WritersService(directory, config), config);
  guard.tier0Membership = async () => undefined;
  return guard;
}

/** A planner over the strict fake: it may look accounts up and search, never read again or write. */
function planner(objects: DirectoryObject[]) {
  const directory = new FakeDirectory({ domains: [CONTOSO, FABRIKAM], objects: [web, app, remote, ...objects] }, [
    'resolve',
    'resolveSids',
    'domains',
    'search',
  ]);
  return {
    directory,
    planner: new DelegationPlanner(
      new TargetExpander(directory, { limits: { maxTargets: 5000, mutationsPerMinute: 0 } }),
      new DelegationReader(directory),
      new PolicyService(config),
      new OwnersService(directory, new PersonsService(directory, config), config),
      guardOver(directory),
    ),
  };
}
const names = (principals: { samAccountName: string | null }[]) => principals.map((p) => p.samAccountName);

describe('DelegationPlanner', () => {
  it('grant on a computer without the attribute: the new list and SDDL, the policy of its OU', async () => {
    const target = account('SQL01', 1401);
    const { planner: p } = planner([target]);
    const { items } = await p.plan({
      action: 'grant',
      targets: ['SQL01'],
      principals: ['WEB01$', 'FABRIKAM\\FABWEB$'],
    });
    expect(items).toEqual([
      {
        target: {
          dn: target.dn,
          sid: target.sid,
          samAccountName: 'SQL01$',
          dnsHostName: 'sql01.contoso.test',
          domain: 'contoso.test',
        },
        changed: true,
        before: { principals: [] },
        after: {
          principals: [
            expect.objectContaining({ sid: web.sid, samAccountName: 'WEB01$', effective: true }),
            expect.objectContaining({ sid: remote.sid, domain: 'fabrikam.test' }),
          ],
        },
        sddlBefore: null,
        sddlAfter: `O:BAD:${SDDL_WEB}(A;;0xf01ff;;;${remote.sid})`,
        policy: {
          allowed: true,
          requiredApprovals: 2,
          reasons: ['policy rule 2 matched (under OU=Servers,DC=contoso,DC=test)'],
        },
        warnings: [],
      },
    ]);
  });

  it('grant keeps what is there, adds only what is missing, and says when nothing changes', async () => {
    const withWeb = account('SQL01', 1401, { rbcd: rbcdValue(web.sid, { sid: app.sid, mask: 0x10000000 }) });
    const { planner: p } = planner([withWeb]);
    const again = await p.plan({ action: 'grant', targets: ['SQL01'], principals: ['WEB01'] });
    expect(again.items[0]).toMatchObject({ changed: false, sddlBefore: again.items[0].sddlAfter });
    expect(again.items[0].after).toEqual(again.items[0].before);
    const app01 = await p.plan({ action: 'grant', targets: ['SQL01'], principals: ['APP01'] });
    expect(app01.items[0].changed).toBe(true);
    expect(app01.items[0].after.principals.map((x) => [x.samAccountName, x.effective])).toEqual([
      ['WEB01$', true],
      ['APP01$', false],
      ['APP01$', true],
    ]);
  });

  it('revoke removes the principal; the last one gone clears the attribute; a revoke of someone absent changes nothing', async () => {
    const both = account('SQL01', 1401, { rbcd: rbcdValue(web.sid, app.sid) });
    const onlyWeb = account('SQL02', 1402, { rbcd: rbcdValue(web.sid) });
    const none = account('SQL03', 1403);
    const { planner: p } = planner([both, onlyWeb, none]);
    const { items } = await p.plan({ action: 'revoke', targets: ['SQL01', 'SQL02', 'SQL03'], principals: ['WEB01'] });
    expect(
      items.map((i) => [
        i.target.samAccountName,
        i.changed,
        names(i.before.principals),
        names(i.after.principals),
        i.sddlAfter,
      ]),
    ).toEqual([
      ['SQL01$', true, ['WEB01$', 'APP01$'], ['APP01$'], `O:BAD:(A;;0xf01ff;;;${app.sid})`],
      ['SQL02$', true, ['WEB01$'], [], null],
      ['SQL03$', false, [], [], null],
    ]);
  });

  it('clear empties any value, even one that does not decode; a grant refuses to touch that one', async () => {
    const broken = account('SQL01', 1401, { rbcd: Buffer.from([1, 2, 3]) });
    const granted = account('SQL02', 1402, { rbcd: rbcdValue(web.sid) });
    const { planner: p } = planner([broken, granted]);
    const clear = await p.plan({ action: 'clear', targets: ['SQL01', 'SQL02'] });
    expect(clear.items.map((i) => [i.changed, i.after.principals, i.sddlAfter, i.error])).toEqual([
      [true, [], null, undefined],
      [true, [], null, undefined],
    ]);
    const grant = await p.plan({ action: 'grant', targets: ['SQL01'], principals: ['WEB01'] });
    expect(grant.items[0]).toMatchObject({
      changed: false,
      error: { code: 'INVALID_SECURITY_DESCRIPTOR' },
      after: { principals: [] },
      sddlAfter: null,
    });
  });

  it('policy per target: Tier 0 denied by rule, a domain controller by the built-in rule', async () => {
    const paw = account('PAW01', 3001, { ou: 'OU=Tier0' });
    const dc = account('DC1', 1000, { ou: 'OU=Domain Controllers', primaryGroupId: 516 });
    const { planner: p } = planner([paw, dc]);
    const { items } = await p.plan({ action: 'grant', targets: ['PAW01', 'DC1'], principals: ['WEB01'] });
    expect(items[0].policy).toMatchObject({
      allowed: false,
      reasons: expect.arrayContaining(['Tier 0 assets never accept delegation']),
    });
    expect(items[1].policy).toMatchObject({
      allowed: false,
      reasons: expect.arrayContaining([expect.stringContaining('domain controller')]),
    });
    expect(items.every((i) => i.changed)).toBe(true);
  });

  it('a grant to a group every computer is in (Domain Computers) is denied on every target; revoking it is not', async () => {
    const domainComputers = account('Domain Computers', 515, {
      ou: 'CN=Users',
      user: true,
      samAccountName: 'Domain Computers',
      objectClass: ['top', 'group'],
    });
    const { planner: p } = planner([domainComputers]);
    const granted = await p.plan({ action: 'grant', targets: ['APP01'], principals: [domainComputers.dn] });
    expect(granted.items[0].policy).toMatchObject({
      allowed: false,
      reasons: expect.arrayContaining([
        expect.stringMatching(/^Domain Computers \(S-1-5-21-1-2-3-515\) is held by any account/),
      ]),
    });
    const revoked = await p.plan({ action: 'revoke', targets: ['APP01'], principals: [domainComputers.dn] });
    expect(revoked.items[0].policy.allowed).toBe(true);
  });

  it("a targetSearch lists the computers under the base (with the filter ANDed) in the base's domain", async () => {
    const a = account('S1', 5001, { ou: 'OU=Batch,OU=Servers' });
    const b = account('S2', 5002, { ou: 'OU=Batch,OU=Servers' });
    const user = account('svc', 5003, { user: true, ou: 'OU=Batch,OU=Servers' });
    const { directory, planner: p } = planner([a, b, user]);
    const { items } = await p.plan({
      action: 'grant',
      targetSearch: { base: 'OU=Batch,OU=Servers,DC=contoso,DC=test', filter: '(|(cn=S1)(sAMAccountName=S2$))' },
      principals: ['WEB01'],
    });
    expect(items.map((i) => i.target.samAccountName)).toEqual(['S1$', 'S2$']);
    const [[domain, base, options]] = directory.callsOf('search');
    expect([domain, base, (options as { filter: string }).filter]).toEqual([
      'contoso.test',
      'OU=Batch,OU=Servers,DC=contoso,DC=test',
      '(&(objectClass=computer)(|(cn=S1)(sAMAccountName=S2$)))',
    ]);
  });

  it.each<[string, string, object]>([
    ['principals missing for a grant', 'VALIDATION_FAILED', { action: 'grant', targets: ['WEB01'] }],
    ['principals empty for a revoke', 'VALIDATION_FAILED', { action: 'revoke', targets: ['WEB01'], principals: [] }],
    [
      'targets and targetSearch',
      'VALIDATION_FAILED',
      { action: 'clear', targets: ['WEB01'], targetSearch: { base: 'DC=contoso,DC=test' } },
    ],
    ['no targets at all', 'VALIDATION_FAILED', { action: 'clear' }],
    [
      'a filter that does not parse',
      'VALIDATION_FAILED',
      { action: 'clear', targetSearch: { base: 'DC=contoso,DC=test', filter: '(cn=' } },
    ],
    [
      'a base outside every domain',
      'DOMAIN_NOT_CONFIGURED',
      { action: 'clear', targetSearch: { base: 'DC=example,DC=com' } },
    ],
    [
      'a search that matches nothing',
      'TARGET_NOT_FOUND',
      { action: 'clear', targetSearch: { base: 'OU=Empty,DC=contoso,DC=test' } },
    ],
    ['an unknown target', 'TARGET_NOT_FOUND', { action: 'clear', targets: ['NOPE'] }],
    ['an unknown principal', 'PRINCIPAL_NOT_FOUND', { action: 'grant', targets: ['WEB01'], principals: ['NOPE'] }],
  ])('%s: %s', async (_label, code, input) => {
    const { planner: p } = planner([]);
    await expect(p.plan(input as never)).rejects.toMatchObject({ code });
  });
});

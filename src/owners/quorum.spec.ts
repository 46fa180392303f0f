import type { OwnerRequirement, TargetOwners } from './owner.types';
import { quorumStatus } from './quorum';

const target = (sam: string, sid: string, required = 1): TargetOwners => ({
  target: { dn: `CN=${sam},OU=Servers,DC=contoso,DC=test`, sid, samAccountName: sam },
  required,
  owners: [],
  noOwner: null,
});
const ownersOf = (...targets: TargetOwners[]): OwnerRequirement => ({ targets });
const approval = (personKey: string, ...ownerOf: string[]) => ({ personKey, name: personKey, ownerOf });

describe('quorumStatus (persons, owners)', () => {
  it('counts one person once, whatever number of rows (channels) they have', () => {
    const status = quorumStatus(2, null, [approval('sid:S-1-5-21-1-2-3-1001'), approval('sid:S-1-5-21-1-2-3-1001')]);
    expect(status).toMatchObject({ met: false, approvers: 1, missing: ['1 more approval(s) in all (1/2)'] });
    expect(quorumStatus(2, null, [approval('sid:A'), approval('sid:B')]).met).toBe(true);
  });

  it('needs an owner of the target: a non-owner does not satisfy the owner part', () => {
    const owners = ownersOf(target('WEB1$', 'S-1-5-21-1-2-3-2001'));
    const other = quorumStatus(2, owners, [approval('sid:A'), approval('sid:B')]);
    expect(other).toMatchObject({ met: false, approvers: 2, missing: ['1 approval(s) from an owner of WEB1$'] });
    const owner = quorumStatus(2, owners, [approval('sid:A'), approval('sid:B', 'S-1-5-21-1-2-3-2001')]);
    expect(owner).toMatchObject({
      met: true,
      missing: [],
      targets: [{ samAccountName: 'WEB1$', approvedBy: ['sid:B'], missing: 0 }],
    });
  });

  it('an owner approval alone does not meet owners + others', () => {
    const status = quorumStatus(2, ownersOf(target('WEB1$', 'S-1')), [approval('sid:B', 'S-1')]);
    expect(status).toMatchObject({ met: false, missing: ['1 more approval(s) in all (1/2)'] });
  });

  it('two targets need an owner each; one owner of both covers both', () => {
    const owners = ownersOf(target('WEB1$', 'S-1'), target('WEB2$', 'S-2'));
    expect(quorumStatus(2, owners, [approval('sid:A', 'S-1'), approval('sid:C')]).missing).toEqual([
      '1 approval(s) from an owner of WEB2$',
    ]);
    expect(quorumStatus(2, owners, [approval('sid:A', 'S-1'), approval('sid:B', 'S-2')]).met).toBe(true);
    expect(quorumStatus(2, owners, [approval('sid:A', 'S-1', 'S-2'), approval('sid:C')]).met).toBe(true);
  });

  it('a target that needs no owner approval (noOwner: approvers) asks nothing of owners', () => {
    const owners = ownersOf({ ...target('LONE$', 'S-9', 0), noOwner: 'approvers' as const });
    expect(quorumStatus(1, owners, [approval('sid:A')])).toMatchObject({ met: true, targets: [] });
  });
});

import { DomainError } from '../common/errors/domain-error';
import { assertRoles, type Principal, type Role } from './roles';

const who = (...roles: Role[]): Principal => ({ id: 'apikey:x', name: 'x', roles, via: 'api-key' });

function code(fn: () => void): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error instanceof DomainError ? error.code : 'other';
  }
}

describe('assertRoles', () => {
  it('lets any listed role or admin pass', () => {
    expect(code(() => assertRoles(who('approver'), ['requester', 'approver']))).toBeUndefined();
    expect(code(() => assertRoles(who('admin'), ['auditor']))).toBeUndefined();
  });

  it('refuses other roles with FORBIDDEN', () => {
    expect(code(() => assertRoles(who('requester'), ['approver']))).toBe('FORBIDDEN');
    expect(code(() => assertRoles(who('auditor'), ['requester', 'approver']))).toBe('FORBIDDEN');
  });

  it('with no roles named, needs some role: an identity with none is refused', () => {
    expect(code(() => assertRoles(who('auditor'), []))).toBeUndefined();
    expect(code(() => assertRoles(who(), []))).toBe('FORBIDDEN');
    expect(code(() => assertRoles(who(), ['requester']))).toBe('FORBIDDEN');
  });
});

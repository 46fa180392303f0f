import {
  BusyError,
  ConstraintViolationError,
  InsufficientAccessError,
  InvalidCredentialsError,
  NoSuchAttributeError,
  NoSuchObjectError,
  UnavailableError,
} from 'ldapts';
import { DomainError } from '../common/errors/domain-error';
import { isConnectionError, isDomainOutOfReach, toDirectoryError } from './ldap-errors';

const context = { domain: 'contoso.test', dn: 'CN=PAW01,OU=Tier0,DC=contoso,DC=test', operation: 'write' };

describe('toDirectoryError', () => {
  it.each<[string, unknown, string]>([
    [
      'insufficientAccessRights (50)',
      new InsufficientAccessError('00002098: Object CN=PAW01,OU=Tier0,DC=contoso,DC=test has no write property access'),
      'DIRECTORY_ACCESS_DENIED',
    ],
    [
      'Samba "can only be modified as system"',
      new ConstraintViolationError('msDS-AllowedToActOnBehalfOfOtherIdentity can only be modified as system'),
      'DIRECTORY_ACCESS_DENIED',
    ],
    ['another constraint violation', new ConstraintViolationError('value too long'), 'DIRECTORY_ERROR'],
    ['noSuchObject (32)', new NoSuchObjectError('no such object'), 'TARGET_NOT_FOUND'],
    [
      'invalidCredentials (49)',
      new InvalidCredentialsError('80090308: LdapErr: DSID-0C09041C'),
      'DIRECTORY_CREDENTIALS_REFUSED',
    ],
    ['busy (51)', new BusyError('busy'), 'DIRECTORY_UNAVAILABLE'],
    ['unavailable (52)', new UnavailableError('unavailable'), 'DIRECTORY_UNAVAILABLE'],
    [
      'a socket error',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:636'), { code: 'ECONNREFUSED' }),
      'DIRECTORY_UNAVAILABLE',
    ],
    ['a timeout', new Error('SearchRequest: Operation timed out'), 'DIRECTORY_UNAVAILABLE'],
    [
      'noSuchAttribute (16): a compare-and-swap conflict, for the caller to retry',
      new NoSuchAttributeError('no such attribute'),
      'DIRECTORY_ERROR',
    ],
    ['anything else', new Error('something odd'), 'DIRECTORY_ERROR'],
  ])('%s → %s', (_label, error, code) => {
    const mapped = toDirectoryError(error, context);
    expect(mapped).toBeInstanceOf(DomainError);
    expect(mapped.code).toBe(code);
    expect(mapped.details).toMatchObject({ domain: 'contoso.test', operation: 'write', dn: context.dn });
  });

  it("keeps the DC's own words and the LDAP result code", () => {
    const mapped = toDirectoryError(
      new InsufficientAccessError('00002098: Object CN=PAW01 has no write property access'),
      context,
    );
    expect(mapped.message).toContain('00002098: Object CN=PAW01 has no write property access');
    expect(mapped.details).toMatchObject({ ldapCode: 50 });
  });

  it('says nothing of the password when the bind is refused', () => {
    const mapped = toDirectoryError(new InvalidCredentialsError('invalid credentials'), {
      domain: 'contoso.test',
      operation: 'bind',
    });
    expect(mapped.code).toBe('DIRECTORY_CREDENTIALS_REFUSED');
    expect(mapped.message).toMatch(
      /^Cannot bind to contoso\.test: the service account's credentials were refused\. Check .*at most once a minute/,
    );
    expect(mapped.message).not.toMatch(/invalid credentials/);
  });

  it('passes a DomainError through unchanged', () => {
    const original = new DomainError('DESCRIPTOR_CHANGED', 'kept changing');
    expect(toDirectoryError(original, context)).toBe(original);
  });
});

describe('isConnectionError', () => {
  it.each<[unknown, boolean]>([
    [Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), true],
    [new Error('Connection timeout'), true],
    [new Error('Connection closed before message response was received'), true],
    [new UnavailableError('x'), true],
    [new InsufficientAccessError('x'), false],
    [new NoSuchObjectError('x'), false],
    [new DomainError('DIRECTORY_UNAVAILABLE', 'x'), true],
    [new DomainError('TARGET_NOT_FOUND', 'x'), false],
    ['a string', false],
  ])('%p → %p', (error, expected) => {
    expect(isConnectionError(error)).toBe(expected);
  });

  it('a domain is out of reach when its DCs do not answer or refuse the service account, not on other errors', () => {
    expect(isDomainOutOfReach(new DomainError('DIRECTORY_UNAVAILABLE', 'down'))).toBe(true);
    expect(isDomainOutOfReach(new DomainError('DIRECTORY_CREDENTIALS_REFUSED', 'refused'))).toBe(true);
    expect(isDomainOutOfReach(new DomainError('DIRECTORY_ACCESS_DENIED', 'no'))).toBe(false);
    expect(isDomainOutOfReach(new Error('x'))).toBe(false);
  });
});

import { ResultCodeError } from 'ldapts';
import { DomainError } from '../common/errors/domain-error';

/** LDAP result codes the adapter treats specially ([RFC 4511] §4.1.9, AD's use of them). */
export const LDAP_RESULT = {
  NO_SUCH_ATTRIBUTE: 16,
  ATTRIBUTE_OR_VALUE_EXISTS: 20,
  NO_SUCH_OBJECT: 32,
  INVALID_CREDENTIALS: 49,
  INSUFFICIENT_ACCESS: 50,
  BUSY: 51,
  UNAVAILABLE: 52,
  UNWILLING_TO_PERFORM: 53,
  CONSTRAINT_VIOLATION: 19,
} as const;

export function resultCode(error: unknown): number | undefined {
  return error instanceof ResultCodeError ? error.code : undefined;
}

/** True when the error says nothing about the request but about the connection (failover material). */
export function isConnectionError(error: unknown): boolean {
  if (error instanceof DomainError) return error.code === 'DIRECTORY_UNAVAILABLE';
  const code = resultCode(error);
  if (code !== undefined) return code === LDAP_RESULT.BUSY || code === LDAP_RESULT.UNAVAILABLE;
  if (!(error instanceof Error)) return false;
  const errno = (error as NodeJS.ErrnoException).code;
  return (
    (typeof errno === 'string' && errno.startsWith('E')) ||
    /timeout|timed out|closed|socket|connect|reset|not connected/i.test(error.message)
  );
}

/** A domain the service cannot ask right now: its DCs do not answer, or refuse the service account. */
export function isDomainOutOfReach(error: unknown): error is DomainError {
  return (
    error instanceof DomainError &&
    (error.code === 'DIRECTORY_UNAVAILABLE' || error.code === 'DIRECTORY_CREDENTIALS_REFUSED')
  );
}

/** What an operator reads when the DC refuses the service account's bind (never the password). */
export function credentialsRefusedMessage(domain: string): string {
  return (
    `Cannot bind to ${domain}: the service account's credentials were refused. Check that the account (LDAP_BIND_DN or the domain's bindDn) is enabled, ` +
    `not locked out, and has the configured password (LDAP_BIND_PASSWORD(_FILE) or bindPasswordFile); after changing the configured password, restart. ` +
    `The service tries the bind at most once a minute per domain, so it does not lock the account out, and recovers by itself once the DC accepts it`
  );
}

/** Never lets a raw ldapts error out: maps it to the contract's codes with the DC's own words. */
export function toDirectoryError(
  error: unknown,
  context: { domain: string; dn?: string; operation: string },
): DomainError {
  if (error instanceof DomainError) return error;
  const code = resultCode(error);
  const message = error instanceof Error ? error.message : String(error);
  const details = {
    domain: context.domain,
    operation: context.operation,
    ...(context.dn ? { dn: context.dn } : {}),
    ...(code !== undefined ? { ldapCode: code } : {}),
  };
  if (
    code === LDAP_RESULT.INSUFFICIENT_ACCESS ||
    (code === LDAP_RESULT.CONSTRAINT_VIOLATION && /as system/i.test(message))
  ) {
    return new DomainError(
      'DIRECTORY_ACCESS_DENIED',
      `The directory refused the ${context.operation}: ${message}`,
      details,
    );
  }
  if (code === LDAP_RESULT.NO_SUCH_OBJECT) {
    return new DomainError('TARGET_NOT_FOUND', `No object ${context.dn ?? ''} in ${context.domain}`.trim(), details);
  }
  if (code === LDAP_RESULT.INVALID_CREDENTIALS) {
    return new DomainError('DIRECTORY_CREDENTIALS_REFUSED', credentialsRefusedMessage(context.domain), details);
  }
  if (
    (code === undefined && isConnectionError(error)) ||
    code === LDAP_RESULT.BUSY ||
    code === LDAP_RESULT.UNAVAILABLE
  ) {
    return new DomainError(
      'DIRECTORY_UNAVAILABLE',
      `No domain controller of ${context.domain} answered the ${context.operation}: ${message}`,
      details,
    );
  }
  return new DomainError('DIRECTORY_ERROR', `The directory failed the ${context.operation}: ${message}`, details);
}

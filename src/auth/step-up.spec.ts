import { DomainError } from '../common/errors/domain-error';
import type { OidcConfig } from '../config/config.types';
import type { Principal } from './roles';
import { assertRecentSignIn } from './step-up';

const oidc = { approvalMaxAgeMs: 15 * 60_000 } as OidcConfig;
const now = Date.UTC(2026, 11, 1, 9, 0, 0);
const person = (via: Principal['via'], authTime?: number): Principal => ({
  id: `${via}:x`,
  name: 'x',
  roles: ['approver'],
  via,
  ...(authTime === undefined ? {} : { authTime }),
});

function codeOf(fn: () => void): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error instanceof DomainError ? `${error.code} ${JSON.stringify(error.details)}` : String(error);
  }
}

describe('step-up for approvals (OIDC_APPROVAL_MAX_AGE)', () => {
  it('a sign-in within the limit passes (positive control), also at the limit itself', () => {
    expect(codeOf(() => assertRecentSignIn(person('oidc', now / 1000 - 60), oidc, now))).toBeUndefined();
    expect(codeOf(() => assertRecentSignIn(person('oidc', now / 1000 - 900), oidc, now))).toBeUndefined();
  });

  it('an older sign-in, or a token without auth_time, is STEP_UP_REQUIRED with the limit in seconds', () => {
    expect(codeOf(() => assertRecentSignIn(person('oidc', now / 1000 - 901), oidc, now))).toBe(
      'STEP_UP_REQUIRED {"maxAgeSeconds":900,"authAgeSeconds":901}',
    );
    expect(codeOf(() => assertRecentSignIn(person('oidc'), oidc, now))).toBe('STEP_UP_REQUIRED {"maxAgeSeconds":900}');
  });

  it('off when unset; API keys and chat users are not asked', () => {
    expect(
      codeOf(() => assertRecentSignIn(person('oidc'), { ...oidc, approvalMaxAgeMs: undefined }, now)),
    ).toBeUndefined();
    expect(codeOf(() => assertRecentSignIn(person('oidc'), undefined, now))).toBeUndefined();
    expect(codeOf(() => assertRecentSignIn(person('api-key'), oidc, now))).toBeUndefined();
    expect(codeOf(() => assertRecentSignIn(person('chat'), oidc, now))).toBeUndefined();
  });
});

import { DomainError } from '../common/errors/domain-error';
import type { OidcConfig } from '../config/config.types';
import type { Principal } from './roles';

/**
 * Step-up for approvals (OIDC_APPROVAL_MAX_AGE): an approval made with an OIDC token needs a sign-in
 * at the provider no older than the limit. A token without `auth_time` proves no sign-in time, so it
 * is refused too. API keys and chat users are not people signing in here: the check is OIDC's alone.
 * The console answers STEP_UP_REQUIRED by signing in again with `max_age` (details.maxAgeSeconds).
 */
export function assertRecentSignIn(principal: Principal, oidc: OidcConfig | undefined, nowMs: number): void {
  const limit = oidc?.approvalMaxAgeMs;
  if (!limit || principal.via !== 'oidc') return;
  const maxAgeSeconds = Math.floor(limit / 1000);
  const ageSeconds = principal.authTime === undefined ? undefined : Math.floor(nowMs / 1000) - principal.authTime;
  if (ageSeconds !== undefined && ageSeconds <= maxAgeSeconds) return;
  throw new DomainError(
    'STEP_UP_REQUIRED',
    ageSeconds === undefined
      ? `Approving needs a recent sign-in, and this token carries no auth_time: sign in again (max_age ${maxAgeSeconds})`
      : `Approving needs a sign-in within the last ${maxAgeSeconds} s; this one is ${ageSeconds} s old: sign in again`,
    { maxAgeSeconds, ...(ageSeconds === undefined ? {} : { authAgeSeconds: ageSeconds }) },
  );
}

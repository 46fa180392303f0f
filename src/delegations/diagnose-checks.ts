/** Every check diagnose reports, in the order a double hop meets them; the enum of DiagnoseCheck.id. */
export const DIAGNOSE_CHECK_IDS = [
  'USER_ENABLED',
  'FRONT_END_ENABLED',
  'BACK_END_ENABLED',
  'USER_DELEGABLE',
  'USER_NOT_PROTECTED_USERS',
  'USER_ACCOUNT_USABLE',
  'FRONT_END_SPN',
  'FRONT_END_NOT_DC',
  'BACKEND_SPN',
  'BACKEND_ENCRYPTION',
  'RBCD_ACE',
  'RBCD_ACE_GROUP_SCOPE',
  'CLASSIC_CONSTRAINED_DELEGATION',
  'FUNCTIONAL_LEVEL',
  'NEGATIVE_CACHE',
  'WINRM_CAVEAT',
] as const;
export type DiagnoseCheckId = (typeof DIAGNOSE_CHECK_IDS)[number];

export const DIAGNOSE_CHECK_STATUSES = ['pass', 'warn', 'fail'] as const;

// Examples in the OpenAPI document (a delegation read, a diagnose answer), as the sandbox answers.
// A test validates each against its schema, so they stay true to the contract.
const SERVERC = {
  dn: 'CN=SERVERC,OU=Servers,DC=contoso,DC=test',
  sid: 'S-1-5-21-1004336348-1177238915-682003330-1105',
  samAccountName: 'SERVERC$',
  dnsHostName: 'serverc.contoso.test',
  domain: 'contoso.test',
};
const SERVERB_SID = 'S-1-5-21-1004336348-1177238915-682003330-1104';

export const DELEGATION_EXAMPLE = {
  target: SERVERC,
  principals: [
    {
      sid: SERVERB_SID,
      samAccountName: 'SERVERB$',
      dn: 'CN=SERVERB,OU=Servers,DC=contoso,DC=test',
      domain: 'contoso.test',
      resolved: true,
      accessMask: 983551,
      aceType: 'allow',
      effective: true,
    },
  ],
  writers: [],
  sddl: `O:BAD:(A;;0xf01ff;;;${SERVERB_SID})`,
  raw: 'AQAEgBQAAAAAAAAAAAAAACAAAAABAgAAAAAABSAAAAAgAgAAAgAsAAEAAAAAACQA/wEPAAEFAAAAAAAFFQAAANxG3TuD1ShGgnKnKFAEAAA=',
  warnings: [],
};

export const DIAGNOSE_INPUT_EXAMPLE = {
  user: 'alice',
  frontEnd: 'SERVERB$',
  backEnd: 'SERVERC',
  spn: 'cifs/serverc.contoso.test',
};

export const DIAGNOSE_EXAMPLE = {
  ok: false,
  checks: [
    { id: 'USER_ENABLED', status: 'pass', message: 'The user account alice is enabled' },
    { id: 'FRONT_END_ENABLED', status: 'pass', message: 'The front-end account SERVERB$ is enabled' },
    { id: 'BACK_END_ENABLED', status: 'pass', message: 'The back-end account SERVERC$ is enabled' },
    {
      id: 'USER_DELEGABLE',
      status: 'pass',
      message: 'alice is not marked "Account is sensitive and cannot be delegated"',
    },
    {
      id: 'USER_NOT_PROTECTED_USERS',
      status: 'pass',
      message: 'alice is not in Protected Users, not even through nested groups',
    },
    { id: 'BACKEND_SPN', status: 'pass', message: 'cifs/serverc.contoso.test belongs to SERVERC$' },
    {
      id: 'RBCD_ACE',
      status: 'fail',
      message:
        'SERVERC$ has no msDS-AllowedToActOnBehalfOfOtherIdentity: no account may delegate to it. Request a grant for SERVERB$.',
    },
    {
      id: 'FUNCTIONAL_LEVEL',
      status: 'pass',
      message: 'contoso.test has DCs at Windows Server 2012 (5) or newer (msDS-Behavior-Version: 7)',
    },
    {
      id: 'WINRM_CAVEAT',
      status: 'warn',
      message:
        'RBCD gives the second hop to SMB and WMI/DCOM, not to WinRM-based commands (Invoke-Command, Enter-PSSession)',
    },
  ],
};

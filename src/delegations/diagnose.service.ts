import { Injectable } from '@nestjs/common';
import { DirectoryPort } from '../directory/directory.port';
import { UAC, type DirectoryObject } from '../directory/directory.types';
import { ridOf } from '../directory/well-known-sids';
import {
  AceFlag,
  AceType,
  listPrincipals,
  type RbcdPrincipalEntry,
  type SecurityDescriptor,
} from '../security-descriptor';
import { decodeStored } from './delegation-reader';
import {
  decideForToken,
  frontEndTokenEntries,
  grantedOnlyOutsideTgtPac,
  groupScopeWarning,
  type TokenEntry,
} from './front-end-token';
import { findSpnOwners, type SpnOwnership } from './spn-owner';
import { type DiagnoseCheckId } from './diagnose-checks';

const ENABLED_CHECK = {
  user: 'USER_ENABLED',
  'front-end': 'FRONT_END_ENABLED',
  'back-end': 'BACK_END_ENABLED',
} as const;

export type CheckStatus = 'pass' | 'warn' | 'fail';
export interface DiagnoseCheck {
  id: DiagnoseCheckId;
  status: CheckStatus;
  message: string;
}
export interface DiagnoseInput {
  user: string;
  frontEnd: string;
  backEnd: string;
  spn?: string;
}
export interface DiagnoseResult {
  ok: boolean;
  checks: DiagnoseCheck[];
}

const PROTECTED_USERS_RID = 525;
const WINDOWS_2012_LEVEL = 5;
const DC_PRIMARY_GROUPS = new Set([516, 521]);
const UF_USE_DES_KEY_ONLY = 0x200000;
const DES_TYPES = 0x3;
const NON_DES_TYPES = 0x1c;

const reason = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Why the double hop user → frontEnd → backEnd would fail, check by check: what the KDC would decide
 * (checked against the sandbox KDC, test/e2e/diagnose-kdc-matrix.spec.ts). A check that could not
 * read what it depends on is `warn` with the reason, never `pass`.
 */
@Injectable()
export class DiagnoseService {
  constructor(private readonly directory: DirectoryPort) {}

  async diagnose(input: DiagnoseInput): Promise<DiagnoseResult> {
    const [user, frontEnd, backEnd] = await Promise.all([
      this.directory.resolve(input.user, { kind: 'user' }),
      this.directory.resolve(input.frontEnd, { kind: 'principal' }),
      this.directory.resolve(input.backEnd, { kind: 'target', withRbcd: true }),
    ]);
    const checks: DiagnoseCheck[] = [];
    const spn = await this.spnCheck(backEnd, frontEnd, input.spn);
    // The KDC checks the attribute of the account that owns the SPN: the rest is about that account.
    const service = spn.owner && spn.owner.sid.toUpperCase() !== backEnd.sid.toUpperCase() ? spn.owner : backEnd;
    checks.push(...this.enabledChecks(user, frontEnd, service));
    checks.push(...(await this.userChecks(user)));
    checks.push(...this.frontEndChecks(frontEnd));
    checks.push(spn.check);
    checks.push(...(await this.backEndChecks(service)));
    checks.push(...(await this.aceChecks(frontEnd, service)));
    checks.push(...(await this.functionalLevelChecks(frontEnd, service)));
    if (frontEnd.allowedToDelegateTo.length) {
      checks.push({
        id: 'CLASSIC_CONSTRAINED_DELEGATION',
        status: 'warn',
        message: `${frontEnd.samAccountName} also has classic constrained delegation (msDS-AllowedToDelegateTo: ${frontEnd.allowedToDelegateTo.slice(0, 5).join(', ')}); the KDC tries it first`,
      });
    }
    checks.push({
      id: 'NEGATIVE_CACHE',
      status: 'warn',
      message: `After a new grant, the KDC's negative cache on ${frontEnd.dnsHostName ?? frontEnd.samAccountName} can keep refusing for ~15 minutes: run "klist purge -li 0x3e7" there (or wait, or reboot)`,
    });
    checks.push({
      id: 'WINRM_CAVEAT',
      status: 'warn',
      message:
        'RBCD gives the second hop to SMB (Test-Path \\\\server\\C$) and WMI/DCOM, not to WinRM-based commands (Invoke-Command, Enter-PSSession, Get-CimInstance) on the second hop',
    });
    return { ok: !checks.some((c) => c.status === 'fail'), checks };
  }

  private enabledChecks(user: DirectoryObject, frontEnd: DirectoryObject, backEnd: DirectoryObject): DiagnoseCheck[] {
    const checks: DiagnoseCheck[] = [];
    for (const [role, account] of [
      ['user', user],
      ['front-end', frontEnd],
      ['back-end', backEnd],
    ] as const) {
      const disabled = (account.userAccountControl & UAC.ACCOUNTDISABLE) !== 0;
      checks.push({
        id: ENABLED_CHECK[role],
        status: disabled ? 'fail' : 'pass',
        message: disabled
          ? `The ${role} account ${account.samAccountName} is disabled`
          : `The ${role} account ${account.samAccountName} is enabled`,
      });
    }
    return checks;
  }

  /** NOT_DELEGATED, Protected Users (transitively: tokenGroups), locked out, expired. */
  private async userChecks(user: DirectoryObject): Promise<DiagnoseCheck[]> {
    const notDelegated = (user.userAccountControl & UAC.NOT_DELEGATED) !== 0;
    const checks: DiagnoseCheck[] = [
      {
        id: 'USER_DELEGABLE',
        status: notDelegated ? 'fail' : 'pass',
        message: notDelegated
          ? `${user.samAccountName} is marked "Account is sensitive and cannot be delegated" (NOT_DELEGATED): no KDC will delegate it`
          : `${user.samAccountName} may be delegated (NOT_DELEGATED is not set)`,
      },
    ];
    const [groups, state] = await Promise.allSettled([
      this.directory.groupSids(user),
      this.directory.accountState(user),
    ]);
    if (groups.status === 'rejected') {
      checks.push({
        id: 'USER_NOT_PROTECTED_USERS',
        status: 'warn',
        message: `Could not read the group memberships of ${user.samAccountName} (${reason(groups.reason)}): Protected Users was not checked`,
      });
    } else {
      const member = groups.value.some(
        (sid) => ridOf(sid) === PROTECTED_USERS_RID && sid.toUpperCase().startsWith('S-1-5-21-'),
      );
      checks.push(
        member
          ? {
              id: 'USER_NOT_PROTECTED_USERS',
              status: 'fail',
              message: `${user.samAccountName} is a member of Protected Users (directly or through nested groups): Windows KDCs never delegate its credentials`,
            }
          : {
              id: 'USER_NOT_PROTECTED_USERS',
              status: 'pass',
              message: `${user.samAccountName} is not in Protected Users, not even through nested groups`,
            },
      );
    }
    if (state.status === 'rejected') {
      checks.push({
        id: 'USER_ACCOUNT_USABLE',
        status: 'warn',
        message: `Could not read the lockout and expiry of ${user.samAccountName} (${reason(state.reason)})`,
      });
    } else if (state.value.lockedOut) {
      checks.push({
        id: 'USER_ACCOUNT_USABLE',
        status: 'fail',
        message: `${user.samAccountName} is locked out: the KDC refuses tickets for it until the lockout ends or an admin unlocks it`,
      });
    } else if (state.value.expired) {
      checks.push({
        id: 'USER_ACCOUNT_USABLE',
        status: 'fail',
        message: `${user.samAccountName} expired on ${state.value.accountExpires}: the KDC refuses tickets for it`,
      });
    } else if (state.value.lockedOut === undefined) {
      checks.push({
        id: 'USER_ACCOUNT_USABLE',
        status: 'warn',
        message: `The lockout state of ${user.samAccountName} could not be read (msDS-User-Account-Control-Computed missing)`,
      });
    } else {
      checks.push({
        id: 'USER_ACCOUNT_USABLE',
        status: 'pass',
        message: `${user.samAccountName} is neither locked out nor expired`,
      });
    }
    return checks;
  }

  private frontEndChecks(frontEnd: DirectoryObject): DiagnoseCheck[] {
    const checks: DiagnoseCheck[] = [];
    checks.push(
      frontEnd.servicePrincipalNames.length
        ? {
            id: 'FRONT_END_SPN',
            status: 'pass',
            message: `${frontEnd.samAccountName} has ${frontEnd.servicePrincipalNames.length} SPN(s)`,
          }
        : {
            id: 'FRONT_END_SPN',
            status: 'warn',
            message: `${frontEnd.samAccountName} has no servicePrincipalName: Windows KDCs expect the account asking for S4U2Self/S4U2Proxy to be a service with an SPN`,
          },
    );
    const isDc =
      (frontEnd.userAccountControl & UAC.SERVER_TRUST_ACCOUNT) !== 0 ||
      DC_PRIMARY_GROUPS.has(frontEnd.primaryGroupId ?? 0);
    if (isDc) {
      checks.push({
        id: 'FRONT_END_NOT_DC',
        status: 'warn',
        message: `${frontEnd.samAccountName} is a domain controller (Tier 0): DCs already hold unconstrained delegation, and a grant to a DC widens Tier 0; use a member server`,
      });
    }
    return checks;
  }

  /** The SPN the client asks for, its owner (the account whose attribute counts) and how it was found. */
  private async spnCheck(
    backEnd: DirectoryObject,
    frontEnd: DirectoryObject,
    given?: string,
  ): Promise<{ check: DiagnoseCheck; owner?: DirectoryObject }> {
    const id = 'BACKEND_SPN';
    const derived = !given;
    const spn = given ?? (backEnd.dnsHostName ? `cifs/${backEnd.dnsHostName}` : undefined);
    if (!spn) {
      return {
        check: {
          id,
          status: 'warn',
          message: `No spn was given and ${backEnd.samAccountName} has no dNSHostName to derive one from: give the SPN the client asks for (e.g. http/web.contoso.test)`,
        },
      };
    }
    let found: SpnOwnership;
    try {
      found = await findSpnOwners(this.directory, spn, frontEnd.domain);
    } catch (error) {
      return { check: { id, status: 'warn', message: `Could not look up who owns ${spn} (${reason(error)})` } };
    }
    const origin = derived
      ? ` (no spn given: derived from ${backEnd.samAccountName}'s dNSHostName, what Test-Path \\\\${backEnd.dnsHostName}\\C$ asks for)`
      : '';
    const notes: string[] = [];
    if (found.defaultMappings.length)
      notes.push(
        `sPNMappings of ${found.defaultMappings.map((m) => `${m.forest} (${m.error ?? 'unreadable'})`).join(', ')} could not be read: Windows' default aliases were used`,
      );
    if (found.unreachable.length)
      notes.push(`${found.unreachable.join(', ')} did not answer, so an owner there is unknown`);
    const note = notes.length ? `; ${notes.join('; ')}` : '';
    const how = found.mapping
      ? ` through sPNMappings (${found.mapping.alias} → ${found.mapping.target}: ${found.matched})`
      : '';
    if (found.owners.length === 0) {
      return {
        check: {
          id,
          status: found.unreachable.length ? 'warn' : 'fail',
          message: `Nobody in the configured domains has ${spn} or its sPNMappings form: the KDC cannot issue a ticket to it${origin}${note}`,
        },
      };
    }
    if (found.owners.length > 1) {
      const list = found.owners.map((o) => `${o.samAccountName} in ${o.domain}`).join(', ');
      return {
        check: {
          id,
          status: 'fail',
          message: `${spn}${how} is registered on ${found.owners.length} accounts (${list}): the KDC refuses a duplicated SPN; remove it from all but one${origin}`,
        },
      };
    }
    const [owner] = found.owners;
    const status = notes.length ? 'warn' : 'pass';
    if (owner.sid.toUpperCase() === backEnd.sid.toUpperCase()) {
      return {
        check: {
          id,
          status,
          message: `${spn} reaches ${backEnd.samAccountName}${how || ' (registered on it)'}${origin}${note}`,
        },
        owner: backEnd,
      };
    }
    return {
      check: {
        id,
        status: 'warn',
        message: `${spn}${how} belongs to ${owner.samAccountName} (${owner.domain}), not to ${backEnd.samAccountName}: the KDC checks ${owner.samAccountName}'s msDS-AllowedToActOnBehalfOfOtherIdentity (for example a gMSA or account the service runs as), so the checks below are about ${owner.samAccountName}${origin}${note}`,
      },
      owner,
    };
  }

  /** The account whose ticket is issued: encryption types it can use. */
  private async backEndChecks(service: DirectoryObject): Promise<DiagnoseCheck[]> {
    const state = await this.directory.accountState(service).catch((error: unknown) => error as Error);
    if (state instanceof Error)
      return [
        {
          id: 'BACKEND_ENCRYPTION',
          status: 'warn',
          message: `Could not read the encryption types of ${service.samAccountName} (${state.message})`,
        },
      ];
    const types = state.supportedEncryptionTypes;
    const desOnly =
      (service.userAccountControl & UF_USE_DES_KEY_ONLY) !== 0 ||
      (types !== undefined && (types & DES_TYPES) !== 0 && (types & NON_DES_TYPES) === 0);
    return desOnly
      ? [
          {
            id: 'BACKEND_ENCRYPTION',
            status: 'warn',
            message: `${service.samAccountName} allows only DES (msDS-SupportedEncryptionTypes ${types ?? 'unset'}, USE_DES_KEY_ONLY ${(service.userAccountControl & UF_USE_DES_KEY_ONLY) !== 0}): current KDCs no longer issue DES tickets; allow AES (0x18)`,
          },
        ]
      : [
          {
            id: 'BACKEND_ENCRYPTION',
            status: 'pass',
            message: `${service.samAccountName} does not depend on DES${types === undefined ? ' (msDS-SupportedEncryptionTypes unset: the domain default applies)' : ` (msDS-SupportedEncryptionTypes 0x${types.toString(16)})`}`,
          },
        ];
  }

  private async aceChecks(frontEnd: DirectoryObject, backEnd: DirectoryObject): Promise<DiagnoseCheck[]> {
    const id = 'RBCD_ACE';
    const raw = backEnd.rbcd === undefined ? await this.directory.readRbcd(backEnd) : backEnd.rbcd;
    const { descriptor, warnings } = decodeStored(raw);
    if (!raw)
      return [
        {
          id,
          status: 'fail',
          message: `${backEnd.samAccountName} has no msDS-AllowedToActOnBehalfOfOtherIdentity: nobody may delegate to it. Request a grant for ${frontEnd.samAccountName}`,
        },
      ];
    if (!descriptor)
      return [{ id, status: 'fail', message: warnings[0]?.message ?? 'The stored descriptor does not decode' }];
    let token: Map<string, TokenEntry>;
    try {
      token = await frontEndTokenEntries(this.directory, frontEnd);
    } catch (error) {
      return [
        {
          id,
          status: 'warn',
          message: `Could not read the group memberships of ${frontEnd.samAccountName} (${reason(error)}): the ACEs of ${backEnd.samAccountName} were not evaluated`,
        },
      ];
    }
    const decision = decideForToken(descriptor, token);
    const aces = descriptor.dacl?.aces ?? [];
    if (decision.allowed && decision.sid) {
      const entry = token.get(decision.sid.toUpperCase()) as TokenEntry;
      const via = entry.scope === 'self' ? 'directly' : `through ${entry.label}`;
      const checks: DiagnoseCheck[] = [
        {
          id,
          status: 'pass',
          message: `${backEnd.samAccountName} allows ${frontEnd.samAccountName} to delegate to it (${via})`,
        },
      ];
      const scoped = this.groupScopeCheck(frontEnd, descriptor, token);
      if (scoped) checks.push(scoped);
      return checks;
    }
    if (decision.sid) {
      const entry = token.get(decision.sid.toUpperCase()) as TokenEntry;
      const via = entry.scope === 'self' ? frontEnd.samAccountName : `${frontEnd.samAccountName}'s ${entry.label}`;
      return [
        {
          id,
          status: 'fail',
          message: `A deny ACE (ACE ${(decision.index ?? 0) + 1} of ${aces.length}) on ${backEnd.samAccountName} names ${via} and covers 0x100: it decides before any allow, so the KDC refuses`,
        },
      ];
    }
    const entries = listPrincipals(descriptor).principals.filter(
      (p) => token.has(p.sid.toUpperCase()) && p.aceType !== 'deny',
    );
    if (entries.length)
      return [
        {
          id,
          status: 'fail',
          message: `The ACE for ${frontEnd.samAccountName} on ${backEnd.samAccountName} ${whyIneffective(entries[0])}`,
        },
      ];
    return [
      {
        id,
        status: 'fail',
        message: `${backEnd.samAccountName}'s RBCD list does not include ${frontEnd.samAccountName} or any of its groups`,
      },
    ];
  }

  /** Allowed only through groups a Windows KDC does not see in the TGT PAC: warn (checked on Samba only). */
  private groupScopeCheck(
    frontEnd: DirectoryObject,
    descriptor: SecurityDescriptor,
    token: Map<string, TokenEntry>,
  ): DiagnoseCheck | undefined {
    const granting = grantedOnlyOutsideTgtPac(descriptor, token);
    return (
      granting && {
        id: 'RBCD_ACE_GROUP_SCOPE',
        status: 'warn',
        message: groupScopeWarning(frontEnd.samAccountName, granting),
      }
    );
  }

  /** Windows Server 2012 (5) or newer on at least one DC of the front-end's and of the back-end's domain. */
  private async functionalLevelChecks(frontEnd: DirectoryObject, backEnd: DirectoryObject): Promise<DiagnoseCheck[]> {
    return Promise.all(
      [...new Set([frontEnd.domain, backEnd.domain])].map(async (name): Promise<DiagnoseCheck> => {
        let levels;
        try {
          levels = await this.directory.dcFunctionalLevels(name);
        } catch (error) {
          return {
            id: 'FUNCTIONAL_LEVEL',
            status: 'warn',
            message: `Could not read the DCs of ${name} (nTDSDSA msDS-Behavior-Version: ${reason(error)})`,
          };
        }
        if (!levels.length)
          return {
            id: 'FUNCTIONAL_LEVEL',
            status: 'warn',
            message: `No DC of ${name} could be read (nTDSDSA objects)`,
          };
        const list = levels.map((l) => `${l.dc} ${l.level}`).join(', ');
        return levels.some((l) => l.level >= WINDOWS_2012_LEVEL)
          ? {
              id: 'FUNCTIONAL_LEVEL',
              status: 'pass',
              message: `${name} has DCs at Windows Server 2012 (5) or newer (msDS-Behavior-Version: ${list})`,
            }
          : {
              id: 'FUNCTIONAL_LEVEL',
              status: 'warn',
              message: `No DC of ${name} is at Windows Server 2012 (5) or newer (msDS-Behavior-Version: ${list}): RBCD needs such a KDC`,
            };
      }),
    );
  }
}

/** Why the KDC ignores an ACE that names the front-end (listPrincipals marked it not effective). */
function whyIneffective(entry: RbcdPrincipalEntry): string {
  if (entry.aceTypeCode === AceType.ACCESS_ALLOWED_OBJECT || entry.aceTypeCode === AceType.ACCESS_DENIED_OBJECT) {
    const restricted = entry.objectType
      ? ` (restricted to object type ${entry.objectType})`
      : ' (without an object type)';
    return `is an object ACE of type ${entry.aceTypeCode}${restricted}: the KDC ignores object ACEs; it needs a plain allow ACE (type 0) with mask 0xf01ff`;
  }
  if (entry.aceType !== 'allow')
    return `is of ACE type ${entry.aceTypeCode}, which the KDC does not honour; it needs a plain allow ACE (type 0) with mask 0xf01ff`;
  if (entry.flags & AceFlag.INHERIT_ONLY) return 'is inherit-only: it does not apply to the account itself';
  return `has mask 0x${(entry.accessMask >>> 0).toString(16)}, which the KDC ignores (no control-access bit 0x100, e.g. GENERIC_ALL); it needs 0xf01ff`;
}

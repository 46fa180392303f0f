import { Injectable } from '@nestjs/common';
import { DirectoryPort } from '../directory/directory.port';
import { UAC, type DirectoryObject, type DomainInfo } from '../directory/directory.types';
import { ridOf } from '../directory/well-known-sids';
import { AceFlag, AceType, listPrincipals, type RbcdPrincipalEntry } from '../security-descriptor';
import { decodeStored } from './delegation-reader';
import { decideForToken, frontEndToken } from './front-end-token';

export type CheckStatus = 'pass' | 'warn' | 'fail';
export interface DiagnoseCheck {
  id: string;
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

/** Why the double hop user → frontEnd → backEnd would fail, check by check (what the KDC would decide). */
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
    checks.push(...this.accountChecks(user, frontEnd, backEnd));
    checks.push(await this.protectedUsersCheck(user));
    checks.push(this.spnCheck(backEnd, input.spn));
    checks.push(await this.aceCheck(frontEnd, backEnd));
    checks.push(...(await this.functionalLevelChecks(frontEnd, backEnd)));
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
      message: 'RBCD gives the second hop to SMB (Test-Path \\\\server\\C$) and WMI/DCOM, not to WinRM-based commands (Invoke-Command, Enter-PSSession, Get-CimInstance) on the second hop',
    });
    return { ok: !checks.some((c) => c.status === 'fail'), checks };
  }

  private accountChecks(user: DirectoryObject, frontEnd: DirectoryObject, backEnd: DirectoryObject): DiagnoseCheck[] {
    const checks: DiagnoseCheck[] = [];
    for (const [role, account] of [['user', user], ['front-end', frontEnd], ['back-end', backEnd]] as const) {
      const disabled = (account.userAccountControl & UAC.ACCOUNTDISABLE) !== 0;
      checks.push({
        id: `${role.toUpperCase().replace('-', '_')}_ENABLED`,
        status: disabled ? 'fail' : 'pass',
        message: disabled ? `The ${role} account ${account.samAccountName} is disabled` : `The ${role} account ${account.samAccountName} is enabled`,
      });
    }
    const notDelegated = (user.userAccountControl & UAC.NOT_DELEGATED) !== 0;
    checks.push({
      id: 'USER_DELEGABLE',
      status: notDelegated ? 'fail' : 'pass',
      message: notDelegated
        ? `${user.samAccountName} is marked "Account is sensitive and cannot be delegated" (NOT_DELEGATED): no KDC will delegate it`
        : `${user.samAccountName} may be delegated (NOT_DELEGATED is not set)`,
    });
    return checks;
  }

  private async protectedUsersCheck(user: DirectoryObject): Promise<DiagnoseCheck> {
    const groups = await this.directory.groupSids(user).catch(() => undefined);
    if (!groups) return { id: 'USER_NOT_PROTECTED_USERS', status: 'warn', message: `Could not read the group memberships of ${user.samAccountName}` };
    const member = groups.some((sid) => ridOf(sid) === PROTECTED_USERS_RID && sid.startsWith('S-1-5-21-'));
    return member
      ? { id: 'USER_NOT_PROTECTED_USERS', status: 'fail', message: `${user.samAccountName} is a member of Protected Users: Windows KDCs never delegate its credentials` }
      : { id: 'USER_NOT_PROTECTED_USERS', status: 'pass', message: `${user.samAccountName} is not in Protected Users` };
  }

  private spnCheck(backEnd: DirectoryObject, spn?: string): DiagnoseCheck {
    if (spn) {
      const has = backEnd.servicePrincipalNames.some((s) => s.toLowerCase() === spn.toLowerCase());
      return has
        ? { id: 'BACKEND_SPN', status: 'pass', message: `${spn} is registered on ${backEnd.samAccountName}` }
        : { id: 'BACKEND_SPN', status: 'fail', message: `${spn} is not registered on ${backEnd.samAccountName} (it has: ${backEnd.servicePrincipalNames.slice(0, 8).join(', ') || 'none'})` };
    }
    return backEnd.servicePrincipalNames.length
      ? { id: 'BACKEND_SPN', status: 'pass', message: `${backEnd.samAccountName} has ${backEnd.servicePrincipalNames.length} SPN(s)` }
      : { id: 'BACKEND_SPN', status: 'fail', message: `${backEnd.samAccountName} has no servicePrincipalName: there is no service ticket to delegate to` };
  }

  private async aceCheck(frontEnd: DirectoryObject, backEnd: DirectoryObject): Promise<DiagnoseCheck> {
    const id = 'RBCD_ACE';
    const { descriptor, warnings } = decodeStored(backEnd.rbcd);
    if (!backEnd.rbcd) return { id, status: 'fail', message: `${backEnd.samAccountName} has no msDS-AllowedToActOnBehalfOfOtherIdentity: nobody may delegate to it. Request a grant for ${frontEnd.samAccountName}` };
    if (!descriptor) return { id, status: 'fail', message: warnings[0]?.message ?? 'The stored descriptor does not decode' };
    const token = await frontEndToken(this.directory, frontEnd).catch(() => undefined);
    if (!token) return { id, status: 'warn', message: `Could not read the group memberships of ${frontEnd.samAccountName}: the ACEs of ${backEnd.samAccountName} were not evaluated` };
    const decision = decideForToken(descriptor, token);
    const aces = descriptor.dacl?.aces ?? [];
    if (decision.allowed && decision.sid) {
      const via = decision.sid.toUpperCase() === frontEnd.sid.toUpperCase() ? 'directly' : `through ${token.get(decision.sid.toUpperCase())}`;
      return { id, status: 'pass', message: `${backEnd.samAccountName} allows ${frontEnd.samAccountName} to delegate to it (${via})` };
    }
    if (decision.sid) {
      const via = decision.sid.toUpperCase() === frontEnd.sid.toUpperCase() ? frontEnd.samAccountName : `${frontEnd.samAccountName}'s ${token.get(decision.sid.toUpperCase())}`;
      return { id, status: 'fail', message: `A deny ACE (ACE ${(decision.index ?? 0) + 1} of ${aces.length}) on ${backEnd.samAccountName} names ${via} and covers 0x100: it decides before any allow, so the KDC refuses` };
    }
    const entries = listPrincipals(descriptor).principals.filter((p) => token.has(p.sid.toUpperCase()) && p.aceType !== 'deny');
    if (entries.length) return { id, status: 'fail', message: `The ACE for ${frontEnd.samAccountName} on ${backEnd.samAccountName} ${whyIneffective(entries[0])}` };
    return { id, status: 'fail', message: `${backEnd.samAccountName}'s RBCD list does not include ${frontEnd.samAccountName} or any of its groups` };
  }

  private async functionalLevelChecks(frontEnd: DirectoryObject, backEnd: DirectoryObject): Promise<DiagnoseCheck[]> {
    const domains = await this.directory.domains();
    const levels = new Map<string, DomainInfo>(domains.map((d) => [d.name, d]));
    return [...new Set([frontEnd.domain, backEnd.domain])].map((name) => {
      const level = levels.get(name)?.domainFunctionality;
      if (level === undefined) return { id: 'FUNCTIONAL_LEVEL', status: 'warn' as const, message: `Could not read the functional level of ${name}` };
      return level >= WINDOWS_2012_LEVEL
        ? { id: 'FUNCTIONAL_LEVEL', status: 'pass' as const, message: `${name} is at domain functional level ${level} (RBCD needs 5 = Windows Server 2012 or newer)` }
        : { id: 'FUNCTIONAL_LEVEL', status: 'fail' as const, message: `${name} is at domain functional level ${level}: RBCD needs Windows Server 2012 (5) or newer KDCs` };
    });
  }
}

/** Why the KDC ignores an ACE that names the front-end (listPrincipals marked it not effective). */
function whyIneffective(entry: RbcdPrincipalEntry): string {
  if (entry.aceTypeCode === AceType.ACCESS_ALLOWED_OBJECT || entry.aceTypeCode === AceType.ACCESS_DENIED_OBJECT) {
    const restricted = entry.objectType ? ` (restricted to object type ${entry.objectType})` : ' (without an object type)';
    return `is an object ACE of type ${entry.aceTypeCode}${restricted}: the KDC ignores object ACEs; it needs a plain allow ACE (type 0) with mask 0xf01ff`;
  }
  if (entry.aceType !== 'allow') return `is of ACE type ${entry.aceTypeCode}, which the KDC does not honour; it needs a plain allow ACE (type 0) with mask 0xf01ff`;
  if (entry.flags & AceFlag.INHERIT_ONLY) return 'is inherit-only: it does not apply to the account itself';
  return `has mask 0x${(entry.accessMask >>> 0).toString(16)}, which the KDC ignores (no control-access bit 0x100, e.g. GENERIC_ALL); it needs 0xf01ff`;
}

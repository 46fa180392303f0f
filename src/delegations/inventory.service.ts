import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';
import { DirectoryPort } from '../directory/directory.port';
import { TtlCache } from '../directory/sid-cache';
import {
  RBCD_ATTRIBUTE,
  SCAN_ATTRIBUTES,
  UAC,
  type DirectoryObject,
  type AccountRef,
  toAccountRef,
} from '../directory/directory.types';
import { heldByAnyAccount, IMPLICIT_TOKEN_SIDS, WELL_KNOWN_SIDS } from '../directory/well-known-sids';
import { PolicyService } from '../policy/policy.service';
import { type WriterMemo, WritersService } from '../policy/writers.service';
import { listPrincipals } from '../security-descriptor';
import { WARNING_CODES, type Warning, type WarningCode } from './delegation.types';
import { decodeStored } from './delegation-reader';
import { isDnUnder } from '../directory/dn';

export const INVENTORY_KINDS = ['rbcd', 'constrained', 'unconstrained', 'protocolTransition'] as const;
export type InventoryKind = (typeof INVENTORY_KINDS)[number];

export interface InventoryItem extends AccountRef {
  kinds: InventoryKind[];
  /** RBCD: SIDs allowed to delegate to this object (effective allow ACEs). */
  rbcdPrincipals: { sid: string; samAccountName: string | null; effective: boolean; aceType: string }[];
  /** Classic constrained delegation: SPNs this account may delegate to. */
  allowedToDelegateTo: string[];
  risks: Warning[];
}

/** One domain's ms-DS-MachineAccountQuota: how many computers any user may create there. */
export interface InventoryDomain {
  domain: string;
  /** Null when the service account may not read it. */
  machineAccountQuota: number | null;
  risks: Warning[];
}

export interface InventoryPage {
  items: InventoryItem[];
  domains: InventoryDomain[];
  total: number;
  nextCursor: string | null;
}

const KIND_FILTERS: Record<InventoryKind, string> = {
  rbcd: `(${RBCD_ATTRIBUTE}=*)`,
  constrained: '(msDS-AllowedToDelegateTo=*)',
  unconstrained: `(userAccountControl:1.2.840.113556.1.4.803:=${UAC.TRUSTED_FOR_DELEGATION})`,
  protocolTransition: `(userAccountControl:1.2.840.113556.1.4.803:=${UAC.TRUSTED_TO_AUTH_FOR_DELEGATION})`,
};

const ATTRIBUTES = [...SCAN_ATTRIBUTES, 'msDS-AllowedToDelegateTo', RBCD_ATTRIBUTE];

/** Every delegation setting under a base, with risk flags; one paged LDAP search per domain. */
@Injectable()
export class InventoryService {
  /** Scans kept for the pages after the first (two minutes, a few at a time). */
  private readonly snapshots = new TtlCache<string, { query: string; objects: DirectoryObject[] }>(120_000, 8);

  constructor(
    private readonly directory: DirectoryPort,
    private readonly policy: PolicyService,
    private readonly writers: WritersService,
  ) {}

  async inventory(input: {
    base?: string;
    kinds?: InventoryKind[];
    limit?: number;
    cursor?: string;
    /** Read permissions and flag RBCD_WRITABLE_BY_NON_TIER0 (default true). */
    writers?: boolean;
    /** Only the objects that carry this risk code; applied before paging (total counts them). */
    risk?: WarningCode;
  }): Promise<InventoryPage> {
    // Checked here, not only in the REST DTO: GraphQL passes kinds through as plain strings.
    const unknown = (input.kinds ?? []).filter((k) => !INVENTORY_KINDS.includes(k));
    if (unknown.length)
      throw new DomainError(
        'VALIDATION_FAILED',
        `kinds: ${unknown.join(', ')} is not one of ${INVENTORY_KINDS.join(', ')}`,
        { kinds: unknown },
      );
    const withWriters = input.writers !== false;
    checkRisk(input.risk, withWriters);
    const kinds = input.kinds?.length ? input.kinds : [...INVENTORY_KINDS];
    const cursor = decodeCursor(input.cursor);
    const query = `${input.base ?? ''}|${[...kinds].sort().join(',')}|${withWriters}|${input.risk ?? ''}`;
    const snapshot = cursor.snapshot ? this.snapshots.get(cursor.snapshot) : undefined;
    if (snapshot && snapshot.query !== query)
      throw new DomainError('VALIDATION_FAILED', 'cursor belongs to another inventory query');
    // Later pages read the snapshot the first page scanned: one directory scan per listing, and
    // pages that do not shift while the directory changes. Without it (expired, other replica),
    // the directory is scanned again. With a risk, the snapshot keeps only the objects that carry it.
    const objects =
      snapshot?.objects ??
      (await this.withRisk(await this.scan(input.base, kinds, withWriters), kinds, withWriters, input.risk));
    const snapshotId = snapshot ? (cursor.snapshot as string) : randomUUID();
    if (!snapshot) this.snapshots.set(snapshotId, { query, objects });
    const offset = cursor.offset;
    const limit = Math.min(Math.max(input.limit ?? 500, 1), 5000);
    return {
      items: await this.describe(objects.slice(offset, offset + limit), kinds, withWriters),
      domains: await this.domainQuotas(input.base),
      total: objects.length,
      nextCursor: offset + limit < objects.length ? encodeCursor(snapshotId, offset + limit) : null,
    };
  }

  /** The items of these objects, with their risks; each descriptor is decoded once (the SIDs to name, then the item). */
  private async describe(
    objects: DirectoryObject[],
    kinds: InventoryKind[],
    withWriters: boolean,
  ): Promise<InventoryItem[]> {
    const decoded = objects.map((object) => ({ object, ...decodeRbcd(object.rbcd) }));
    const names = await this.directory.resolveSids(
      decoded.flatMap((d) => d.listed?.principals.map((p) => p.sid) ?? []),
    );
    const memo: WriterMemo = new Map();
    const writerRisks: Warning[][] = [];
    if (withWriters) for (const { object } of decoded) writerRisks.push(await this.writerRisks(object, memo));
    return decoded.map((d, i) => {
      const item = this.item(d, kinds, names);
      item.risks.push(...(writerRisks[i] ?? []));
      return item;
    });
  }

  /** The objects whose item carries this risk (every object without one); permissions are read only for the writers' risk. */
  private async withRisk(
    objects: DirectoryObject[],
    kinds: InventoryKind[],
    withWriters: boolean,
    risk: WarningCode | undefined,
  ): Promise<DirectoryObject[]> {
    if (!risk) return objects;
    const items = await this.describe(objects, kinds, withWriters && risk === 'RBCD_WRITABLE_BY_NON_TIER0');
    return objects.filter((_, i) => items[i].risks.some((r) => r.code === risk));
  }

  private async scan(
    base: string | undefined,
    kinds: InventoryKind[],
    withWriters: boolean,
  ): Promise<DirectoryObject[]> {
    const filter = `(&(objectSid=*)(|${kinds.map((k) => KIND_FILTERS[k]).join('')}))`;
    const domains = await this.domainsFor(base);
    const objects: DirectoryObject[] = [];
    for (const domain of domains) {
      for await (const object of this.directory.search(domain, base && domains.length === 1 ? base : undefined, {
        filter,
        attributes: ATTRIBUTES,
        pageSize: 1000,
        // The permissions come in the same paged search (SD_FLAGS control), not one read per object.
        withSecurityDescriptor: withWriters,
      })) {
        objects.push(object);
      }
    }
    return objects.sort((a, b) => a.dn.localeCompare(b.dn));
  }

  /** RBCD_WRITABLE_BY_NON_TIER0, naming the writers (SELF, the default everywhere, is left to the target view). */
  private async writerRisks(object: DirectoryObject, memo: WriterMemo): Promise<Warning[]> {
    if (object.securityDescriptor === undefined || object.securityDescriptor === null) return [];
    const { warnings } = await this.writers.rbcdWriters(object, memo);
    return warnings.filter((w) => w.code === 'RBCD_WRITABLE_BY_NON_TIER0');
  }

  private async domainQuotas(base?: string): Promise<InventoryDomain[]> {
    return Promise.all(
      (await this.domainsFor(base)).map(async (domain) => {
        const quota = await this.directory.machineAccountQuota(domain).catch(() => undefined);
        const risks: Warning[] =
          quota !== undefined && quota > 0
            ? [
                {
                  code: 'MACHINE_ACCOUNT_QUOTA',
                  message: `Any user of ${domain} may create ${quota} computer account(s) (ms-DS-MachineAccountQuota): set it to 0 and delegate computer creation to a group`,
                },
              ]
            : [];
        return { domain, machineAccountQuota: quota ?? null, risks };
      }),
    );
  }

  private async domainsFor(base?: string): Promise<string[]> {
    const domains = await this.directory.domains();
    if (!base) return domains.map((d) => d.name);
    const owner = domains.find((d) => isDnUnder(base, d.baseDn));
    if (!owner)
      throw new DomainError('DOMAIN_NOT_CONFIGURED', `${base} is not under the naming context of a configured domain`);
    return [owner.name];
  }

  private item(
    { object, warnings, listed }: DecodedObject,
    kinds: InventoryKind[],
    names: Map<string, DirectoryObject | null>,
  ): InventoryItem {
    const risks: Warning[] = [];
    const present: InventoryKind[] = [];
    const isDc =
      (object.userAccountControl & UAC.SERVER_TRUST_ACCOUNT) !== 0 ||
      object.primaryGroupId === 516 ||
      object.primaryGroupId === 521;
    if (object.rbcd) present.push('rbcd');
    if (object.allowedToDelegateTo.length) present.push('constrained');
    if (object.userAccountControl & UAC.TRUSTED_FOR_DELEGATION) {
      present.push('unconstrained');
      if (!isDc)
        risks.push({
          code: 'UNCONSTRAINED_ON_NON_DC',
          message: `${object.samAccountName} has unconstrained delegation and is not a domain controller: any TGT sent to it can be reused anywhere`,
        });
    }
    if (object.userAccountControl & UAC.TRUSTED_TO_AUTH_FOR_DELEGATION) {
      present.push('protocolTransition');
      risks.push({
        code: 'PROTOCOL_TRANSITION',
        message: `${object.samAccountName} may impersonate any user without their password (protocol transition)`,
      });
    }
    const rbcdPrincipals: InventoryItem['rbcdPrincipals'] = [];
    if (object.rbcd) {
      risks.push(...warnings);
      // Protected by the built-in rules (DC, adminCount=1) or by a policy rule (e.g. OU=Tier0): no grant
      // would be allowed there, so an RBCD value found on it is worth a look.
      const decision = this.policy.evaluate(object);
      if (!decision.allowed) {
        risks.push({
          code: 'RBCD_ON_PROTECTED_TARGET',
          message: `${object.samAccountName} accepts delegation (RBCD) although policy protects it (${decision.reasons.slice(1).join('; ')}): review it`,
        });
      }
      if (listed) {
        for (const w of listed.warnings) risks.push(w);
        for (const p of listed.principals) {
          const name = names.get(p.sid.toUpperCase())?.samAccountName ?? WELL_KNOWN_SIDS[p.sid] ?? null;
          if (!name)
            risks.push({
              code: 'ORPHANED_SID',
              message: `${p.sid} in the RBCD list resolves to no account`,
              sid: p.sid,
            });
          const anyAccount = p.effective ? heldByAnyAccount(p.sid) : undefined;
          if (anyAccount) {
            risks.push({
              code: 'RBCD_OPEN_TO_ANY_ACCOUNT',
              message: `${anyAccount} may delegate to ${object.samAccountName}: so may any account, including a computer account anyone can create`,
              sid: p.sid,
            });
          }
          rbcdPrincipals.push({ sid: p.sid, samAccountName: name, effective: p.effective, aceType: String(p.aceType) });
        }
      }
    }
    return {
      ...toAccountRef(object),
      kinds: present.filter((k) => kinds.includes(k)),
      rbcdPrincipals,
      allowedToDelegateTo: object.allowedToDelegateTo,
      risks,
    };
  }
}

interface DecodedObject {
  object: DirectoryObject;
  warnings: Warning[];
  listed: ReturnType<typeof listPrincipals> | null;
}

function decodeRbcd(raw: Buffer | null | undefined): Omit<DecodedObject, 'object'> {
  const { descriptor, warnings } = decodeStored(raw);
  return { warnings, listed: descriptor ? listPrincipals(descriptor, { everyTokenSids: IMPLICIT_TOKEN_SIDS }) : null };
}

/** Checked here, not only in the REST DTO: GraphQL passes the risk through as a plain string. */
function checkRisk(risk: string | undefined, withWriters: boolean): void {
  if (risk === undefined) return;
  if (!(WARNING_CODES as readonly string[]).includes(risk))
    throw new DomainError('VALIDATION_FAILED', `risk: ${risk} is not one of ${WARNING_CODES.join(', ')}`, { risk });
  if (risk === 'RBCD_WRITABLE_BY_NON_TIER0' && !withWriters)
    throw new DomainError(
      'VALIDATION_FAILED',
      'risk RBCD_WRITABLE_BY_NON_TIER0 needs writers=true (the permissions are read for it)',
      {
        risk,
      },
    );
}

function encodeCursor(snapshot: string, offset: number): string {
  return Buffer.from(`s:${snapshot}:${offset}`).toString('base64url');
}

function decodeCursor(cursor?: string): { snapshot?: string; offset: number } {
  if (!cursor) return { offset: 0 };
  const match = /^(?:s:([0-9a-f-]{36}):|o:)(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!match) throw new DomainError('VALIDATION_FAILED', 'cursor is not valid');
  return { snapshot: match[1], offset: Number(match[2]) };
}

import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { DomainError } from '../common/errors/domain-error';
import { decodeStored } from '../delegations/delegation-reader';
import type { Warning } from '../delegations/delegation.types';
import { DirectoryIntentRepository } from '../directory-writes/directory-intent.repository';
import { DirectoryPort } from '../directory/directory.port';
import {
  RBCD_ATTRIBUTE,
  REPL_METADATA_ATTRIBUTE,
  SCAN_ATTRIBUTES,
  type DirectoryObject,
  type AccountRef,
  toAccountRef,
} from '../directory/directory.types';
import { TtlCache } from '../directory/sid-cache';
import { heldByAnyAccount, IMPLICIT_TOKEN_SIDS, WELL_KNOWN_SIDS } from '../directory/well-known-sids';
import { PolicyService } from '../policy/policy.service';
import { type Writer, type WriterMemo, WritersService } from '../policy/writers.service';
import { listPrincipals } from '../security-descriptor';
import { GrantRepository } from '../grants/grant.repository';
import { rbcdChangedAt } from './repl-metadata';
import { type ChangeTimeSource, type StandingOrigin, standingOrigin } from './standing-origin';
import { isDnUnder } from '../directory/dn';

/** One RBCD entry in force that no active grant of the service covers. */
export interface StandingEntry {
  /** `<target SID>|<principal SID>`: what adoption and reviews name the entry by. */
  id: string;
  target: AccountRef;
  principal: {
    sid: string;
    samAccountName: string | null;
    dn: string | null;
    domain: string | null;
    resolved: boolean;
  };
  accessMask: number;
  aceType: string;
  /** False when the KDC ignores the ACE (mask, object ACE, an earlier deny). */
  effective: boolean;
  origin: StandingOrigin;
  originReason: string;
  /** When the RBCD attribute itself last changed (replPropertyMetaData), null when unreadable. */
  rbcdChangedAt: string | null;
  changedAtSource: ChangeTimeSource;
  /** The target object's whenChanged (any attribute). */
  whenChanged: string | null;
  /** Who can write the target's RBCD list outside the broker (null: its permissions are unreadable). */
  writers: Writer[] | null;
  risks: Warning[];
}

export interface StandingPage {
  items: StandingEntry[];
  total: number;
  nextCursor: string | null;
  /** When the service's record began (its first audit event): the line between the two origins. */
  serviceSince: string | null;
}

/** What a scan keeps per entry until a page enriches it. */
interface RawEntry {
  target: DirectoryObject;
  sid: string;
  accessMask: number;
  aceType: string;
  effective: boolean;
  warnings: Warning[];
}

const ATTRIBUTES = [...SCAN_ATTRIBUTES, 'whenChanged', REPL_METADATA_ATTRIBUTE, RBCD_ATTRIBUTE];

/**
 * Standing entries (issue 14): every RBCD entry under a base that no active grant covers, with its
 * origin, the target's writers and risk flags. One paged LDAP search per listing; later pages read
 * the snapshot the first page took (as the inventory does); names, writers and origins are worked
 * out per page only, so a 10,000-object domain costs one scan plus the pages asked for.
 */
@Injectable()
export class StandingService {
  private readonly snapshots = new TtlCache<string, { base: string; entries: RawEntry[] }>(120_000, 8);

  constructor(
    private readonly directory: DirectoryPort,
    private readonly policy: PolicyService,
    private readonly writers: WritersService,
    private readonly grants: GrantRepository,
    private readonly intents: DirectoryIntentRepository,
    private readonly audit: AuditService,
  ) {}

  async list(input: { base?: string; limit?: number; cursor?: string }): Promise<StandingPage> {
    const cursor = decodeCursor(input.cursor);
    const base = input.base ?? '';
    const snapshot = cursor.snapshot ? this.snapshots.get(cursor.snapshot) : undefined;
    if (snapshot && snapshot.base !== base)
      throw new DomainError('VALIDATION_FAILED', 'cursor belongs to another standing query');
    const entries = snapshot?.entries ?? (await this.scan(input.base));
    const snapshotId = snapshot ? (cursor.snapshot as string) : randomUUID();
    if (!snapshot) this.snapshots.set(snapshotId, { base, entries });
    const limit = Math.min(Math.max(input.limit ?? 200, 1), 1000);
    const page = entries.slice(cursor.offset, cursor.offset + limit);
    const serviceSince = await this.audit.firstEventAt();
    return {
      items: await this.enrich(page, serviceSince),
      total: entries.length,
      nextCursor: cursor.offset + limit < entries.length ? encodeCursor(snapshotId, cursor.offset + limit) : null,
      serviceSince,
    };
  }

  /** Every standing entry under `base`, unpaged and enriched (access review snapshots). */
  async all(base?: string): Promise<StandingEntry[]> {
    const entries = await this.scan(base);
    const serviceSince = await this.audit.firstEventAt();
    const out: StandingEntry[] = [];
    for (let i = 0; i < entries.length; i += 500)
      out.push(...(await this.enrich(entries.slice(i, i + 500), serviceSince)));
    return out;
  }

  /** The standing entries of these (target, principal) pairs as the directory shows them now. */
  async find(target: DirectoryObject, principalSids: string[]): Promise<Map<string, RawEntryView>> {
    const wanted = new Set(principalSids.map((s) => s.toUpperCase()));
    const found = new Map<string, RawEntryView>();
    const covered = await this.grants.pairsOnTargets([target.sid], { activeOnly: true });
    for (const entry of entriesOf(target)) {
      if (!wanted.has(entry.sid) || covered.has(pairKey(target.sid, entry.sid))) continue;
      found.set(entry.sid, { sid: entry.sid, effective: entry.effective, aceType: entry.aceType });
    }
    return found;
  }

  private async scan(base: string | undefined): Promise<RawEntry[]> {
    const domains = await this.domainsFor(base);
    const objects: DirectoryObject[] = [];
    for (const domain of domains) {
      for await (const object of this.directory.search(domain, base && domains.length === 1 ? base : undefined, {
        filter: `(&(objectSid=*)(${RBCD_ATTRIBUTE}=*))`,
        attributes: ATTRIBUTES,
        pageSize: 1000,
        withSecurityDescriptor: true,
      })) {
        objects.push(object);
      }
    }
    objects.sort((a, b) => a.dn.localeCompare(b.dn));
    const covered = await this.grants.pairsOnTargets(
      objects.map((o) => o.sid),
      { activeOnly: true },
    );
    return objects.flatMap((o) => entriesOf(o).filter((e) => !covered.has(pairKey(o.sid, e.sid))));
  }

  private async enrich(page: RawEntry[], serviceSince: string | null): Promise<StandingEntry[]> {
    const names = await this.directory.resolveSids([...new Set(page.map((e) => e.sid))]);
    const targets = [...new Map(page.map((e) => [e.target.sid.toUpperCase(), e.target])).values()];
    const history = await this.intents.historyForTargets(targets.map((t) => t.sid));
    const memo: WriterMemo = new Map();
    const writers = new Map<string, { writers: Writer[] | null; warnings: Warning[] }>();
    for (const target of targets) {
      const found = await this.writers.rbcdWriters(target, memo);
      writers.set(target.sid.toUpperCase(), {
        writers: found.writers,
        warnings: found.warnings.filter((w) => w.code !== 'RBCD_SELF_WRITABLE'),
      });
    }
    const since = serviceSince ? new Date(serviceSince) : null;
    return page.map((raw) => {
      const key = raw.target.sid.toUpperCase();
      const principal = names.get(raw.sid) ?? null;
      const attributeTime = rbcdChangedAt(raw.target.replPropertyMetaData);
      const changedAtSource: ChangeTimeSource = attributeTime
        ? 'attributeMetadata'
        : raw.target.whenChanged
          ? 'whenChanged'
          : 'unknown';
      const changedAt = attributeTime ?? (raw.target.whenChanged ? new Date(raw.target.whenChanged) : undefined);
      const verdict = standingOrigin({
        principalSid: raw.sid,
        changedAt,
        changedAtSource,
        serviceSince: since,
        writes: history.get(key) ?? [],
      });
      const targetWriters = writers.get(key);
      return {
        id: pairKey(raw.target.sid, raw.sid),
        target: toAccountRef(raw.target),
        principal: {
          sid: raw.sid,
          samAccountName: principal?.samAccountName ?? WELL_KNOWN_SIDS[raw.sid] ?? null,
          dn: principal?.dn ?? null,
          domain: principal?.domain ?? null,
          resolved: Boolean(principal || WELL_KNOWN_SIDS[raw.sid]),
        },
        accessMask: raw.accessMask,
        aceType: raw.aceType,
        effective: raw.effective,
        origin: verdict.origin,
        originReason: verdict.reason,
        rbcdChangedAt: attributeTime?.toISOString() ?? null,
        changedAtSource,
        whenChanged: raw.target.whenChanged ?? null,
        writers: targetWriters?.writers ?? null,
        risks: this.risks(raw, principal, verdict.origin, targetWriters?.warnings ?? []),
      };
    });
  }

  private risks(
    raw: RawEntry,
    principal: DirectoryObject | null,
    origin: StandingOrigin,
    writerWarnings: Warning[],
  ): Warning[] {
    const risks: Warning[] = [...raw.warnings];
    const name = raw.target.samAccountName;
    if (origin === 'outOfBand')
      risks.push({
        code: 'STANDING_OUT_OF_BAND',
        message: `This entry on ${name} was written after the service started, without it: find out who wrote it, then adopt or remove it`,
        sid: raw.sid,
      });
    if (!principal && !WELL_KNOWN_SIDS[raw.sid])
      risks.push({ code: 'ORPHANED_SID', message: `${raw.sid} in the RBCD list resolves to no account`, sid: raw.sid });
    const anyAccount = raw.effective ? heldByAnyAccount(raw.sid) : undefined;
    if (anyAccount)
      risks.push({
        code: 'RBCD_OPEN_TO_ANY_ACCOUNT',
        message: `${anyAccount} may delegate to ${name}: so may any account, including a computer account anyone can create`,
        sid: raw.sid,
      });
    if (principal?.creatorSid)
      risks.push({
        code: 'PRINCIPAL_CREATED_BY_USER',
        message: `${principal.samAccountName} was created by an ordinary user (ms-DS-CreatorSID ${principal.creatorSid}), who knows its password`,
        sid: raw.sid,
      });
    const decision = this.policy.evaluate(raw.target);
    if (!decision.allowed)
      risks.push({
        code: 'RBCD_ON_PROTECTED_TARGET',
        message: `${name} accepts delegation (RBCD) although policy protects it (${decision.reasons.slice(1).join('; ')}): review it`,
      });
    risks.push(...writerWarnings);
    return risks;
  }

  private async domainsFor(base?: string): Promise<string[]> {
    const domains = await this.directory.domains();
    if (!base) return domains.map((d) => d.name);
    const owner = domains.find((d) => isDnUnder(base, d.baseDn));
    if (!owner)
      throw new DomainError('DOMAIN_NOT_CONFIGURED', `${base} is not under the naming context of a configured domain`);
    return [owner.name];
  }
}

export interface RawEntryView {
  sid: string;
  effective: boolean;
  aceType: string;
}

export function pairKey(targetSid: string, principalSid: string): string {
  return `${targetSid.toUpperCase()}|${principalSid.toUpperCase()}`;
}

/** The allow entries of an object's RBCD value (deny ACEs grant nothing: they are not entries). */
function entriesOf(object: DirectoryObject): RawEntry[] {
  const { descriptor, warnings } = decodeStored(object.rbcd);
  if (!descriptor) return [];
  const listed = listPrincipals(descriptor, { everyTokenSids: IMPLICIT_TOKEN_SIDS });
  const seen = new Set<string>();
  const entries: RawEntry[] = [];
  for (const p of listed.principals) {
    const sid = p.sid.toUpperCase();
    if (p.aceType === 'deny' || p.aceTypeCode === 6 || seen.has(sid)) continue;
    seen.add(sid);
    entries.push({
      target: object,
      sid,
      accessMask: p.accessMask,
      aceType: String(p.aceType),
      effective: p.effective,
      warnings: [...warnings, ...listed.warnings.filter((w) => w.sid?.toUpperCase() === sid)] as Warning[],
    });
  }
  return entries;
}

function encodeCursor(snapshot: string, offset: number): string {
  return Buffer.from(`s:${snapshot}:${offset}`).toString('base64url');
}

function decodeCursor(cursor?: string): { snapshot?: string; offset: number } {
  if (!cursor) return { offset: 0 };
  const match = /^s:([0-9a-f-]{36}):(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!match) throw new DomainError('VALIDATION_FAILED', 'cursor is not valid');
  return { snapshot: match[1], offset: Number(match[2]) };
}

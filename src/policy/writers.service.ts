import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';
import { DirectoryPort } from '../directory/directory.port';
import type { DirectoryObject } from '../directory/directory.types';
import { TtlCache } from '../directory/sid-cache';
import { WELL_KNOWN_SIDS } from '../directory/well-known-sids';
import {
  AD_SCHEMA,
  decodeSecurityDescriptor,
  propertyWriters,
  SecurityDescriptorError,
  type PropertyWriter,
  type PropertyWriteSpec,
  type WriterRight,
  type WriterVia,
} from '../security-descriptor';
import { tier0AccountReason, tier0SidName } from './tier0';
import type { WarningCode } from '../delegations/delegation.types';

import type { WriterClass } from './policy.types';
import { normaliseDn } from '../directory/dn';

/** Someone who can change a property outside the broker: no approval, no audit, no expiry. */
export interface Writer {
  sid: string;
  samAccountName: string | null;
  dn: string | null;
  domain: string | null;
  resolved: boolean;
  rights: WriterRight[];
  via: WriterVia;
  class: WriterClass;
}

export interface WriterWarning {
  code: WarningCode;
  message: string;
  sid?: string;
}

/** Facts about SIDs gathered during one answer (an inventory page asks about the same few SIDs). */
export type WriterMemo = Map<string, { object: DirectoryObject | null; class: Exclude<WriterClass, 'self'> }>;

const SELF_SID = 'S-1-5-10';
const TIER0_GROUPS_TTL_MS = 60_000;

/** Which class's schemaIdGuid an object's ACEs are matched against (its most specific class). */
export function objectClassGuid(object: Pick<DirectoryObject, 'objectClass'>): string {
  const classes = object.objectClass.map((c) => c.toLowerCase());
  if (classes.includes('msds-groupmanagedserviceaccount')) return AD_SCHEMA.gmsaClass;
  if (classes.includes('computer')) return AD_SCHEMA.computerClass;
  if (classes.includes('group')) return AD_SCHEMA.groupClass;
  return AD_SCHEMA.userClass;
}

function rbcdSpec(object: DirectoryObject): PropertyWriteSpec {
  return {
    objectClassGuid: objectClassGuid(object),
    propertyGuids: [AD_SCHEMA.rbcdAttribute, AD_SCHEMA.accountRestrictions],
  };
}

const MEMBERSHIP_SPEC: PropertyWriteSpec = {
  objectClassGuid: AD_SCHEMA.groupClass,
  propertyGuids: [AD_SCHEMA.member, AD_SCHEMA.membership],
  validatedWriteGuids: [AD_SCHEMA.member],
};

/**
 * Who can write a target's msDS-AllowedToActOnBehalfOfOtherIdentity, or a group's membership,
 * without the broker: read from the object's nTSecurityDescriptor, each writer classified as
 * tier0, service (the broker's own bind accounts), self, or other.
 */
@Injectable()
export class WritersService {
  private readonly logger = new Logger(WritersService.name);
  private readonly tier0Groups = new TtlCache<'sids', Set<string>>(TIER0_GROUPS_TTL_MS, 1);
  /** Classes of SIDs seen lately: the same few trustees sit on every object (inherited ACEs). */
  private readonly known = new TtlCache<
    string,
    { object: DirectoryObject | null; class: Exclude<WriterClass, 'self'> }
  >(TIER0_GROUPS_TTL_MS);
  private readonly serviceDns: Set<string>;

  constructor(
    private readonly directory: DirectoryPort,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.serviceDns = new Set(config.domains.flatMap((d) => (d.bindDn ? [normaliseDn(d.bindDn)] : [])));
  }

  /**
   * The writers of the RBCD attribute of `target` (its nTSecurityDescriptor is read unless the
   * object already carries it) and the warnings they call for. `writers` is null when the
   * descriptor could not be read or decoded.
   */
  async rbcdWriters(
    target: DirectoryObject,
    memo: WriterMemo = new Map(),
  ): Promise<{ writers: Writer[] | null; warnings: WriterWarning[] }> {
    const raw = target.securityDescriptor !== undefined ? target.securityDescriptor : await this.readDescriptor(target);
    const entries = decodeWriters(raw, rbcdSpec(target));
    if (!entries) {
      return {
        writers: null,
        warnings: [
          {
            code: 'WRITERS_UNKNOWN',
            message: `The permissions (nTSecurityDescriptor) of ${target.samAccountName} could not be read, so who else can write its RBCD list is not known`,
          },
        ],
      };
    }
    const writers = await this.classify(entries, target.sid, memo);
    return { writers, warnings: rbcdWarnings(target, writers) };
  }

  /** Who can change a group's membership; null when its descriptor cannot be read. */
  async membershipWriters(group: DirectoryObject, memo: WriterMemo = new Map()): Promise<Writer[] | null> {
    const raw = group.securityDescriptor !== undefined ? group.securityDescriptor : await this.readDescriptor(group);
    const entries = decodeWriters(raw, MEMBERSHIP_SPEC);
    return entries ? this.classify(entries, group.sid, memo) : null;
  }

  /** Names and classes for the trustees of `entries`; `selfSid` is the object's own SID. */
  async classify(entries: PropertyWriter[], selfSid: string, memo: WriterMemo = new Map()): Promise<Writer[]> {
    const unknown: string[] = [];
    for (const sid of new Set(entries.map((e) => e.sid.toUpperCase()))) {
      if (memo.has(sid) || sid === SELF_SID || sid === selfSid.toUpperCase()) continue;
      const known = this.known.get(sid);
      if (known) memo.set(sid, known);
      else unknown.push(sid);
    }
    if (unknown.length) {
      const names = await this.directory.resolveSids(unknown);
      const tier0Groups = await this.configuredTier0Groups();
      await Promise.all(
        unknown.map(async (sid) => {
          const fact = {
            object: names.get(sid) ?? null,
            class: await this.classOf(sid, names.get(sid) ?? null, tier0Groups),
          };
          memo.set(sid, fact);
          this.known.set(sid, fact);
        }),
      );
    }
    return entries.map((entry) => {
      const sid = entry.sid.toUpperCase();
      const known = memo.get(sid);
      const object = known?.object ?? null;
      const wellKnown = WELL_KNOWN_SIDS[sid];
      return {
        sid,
        samAccountName: object?.samAccountName ?? wellKnown ?? null,
        dn: object?.dn ?? null,
        domain: object?.domain ?? null,
        resolved: Boolean(object || wellKnown),
        rights: entry.rights,
        via: entry.via,
        class: sid === SELF_SID || sid === selfSid.toUpperCase() ? 'self' : (known?.class ?? 'other'),
      };
    });
  }

  /** The SIDs of the configured policy.tier0Groups (resolved once a minute). */
  async configuredTier0Groups(): Promise<Set<string>> {
    const cached = this.tier0Groups.get('sids');
    if (cached) return cached;
    const sids = new Set<string>();
    for (const name of this.config.policy.tier0Groups ?? []) {
      try {
        sids.add((await this.directory.resolve(name, { kind: 'principal' })).sid.toUpperCase());
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        // A configured Tier 0 group that cannot be found protects nothing: say so loudly.
        this.logger.warn(`policy.tier0Groups: "${name}" does not resolve (${error.code}); it is ignored until it does`);
      }
    }
    this.tier0Groups.set('sids', sids);
    return sids;
  }

  private async classOf(
    sid: string,
    object: DirectoryObject | null,
    tier0Groups: Set<string>,
  ): Promise<Exclude<WriterClass, 'self'>> {
    if (tier0SidName(sid) || tier0Groups.has(sid)) return 'tier0';
    if (!object) return 'other';
    if (this.serviceDns.has(normaliseDn(object.dn))) return 'service';
    if (tier0AccountReason(object)) return 'tier0';
    if (object.objectClass.includes('group') || object.objectClass.includes('foreignSecurityPrincipal')) return 'other';
    // An account in a Tier 0 group (at any depth) is Tier 0 itself.
    const groups = await this.directory.groupSids(object);
    return groups.some((g) => tier0SidName(g) || tier0Groups.has(g.toUpperCase())) ? 'tier0' : 'other';
  }

  private async readDescriptor(object: DirectoryObject): Promise<Buffer | null> {
    try {
      return await this.directory.readSecurityDescriptor(object);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'DIRECTORY_ACCESS_DENIED') return null;
      throw error;
    }
  }
}

/**
 * Writers by descriptor bytes: the same descriptor comes back on every read of a target, and the
 * objects under one OU mostly carry byte-identical ones (inherited ACEs, SELF rather than their own
 * SID), so an inventory of 10,000 computers decodes each distinct descriptor once. Decoding a full
 * nTSecurityDescriptor is most of a read's CPU; a changed descriptor has other bytes, so it is
 * decoded afresh.
 */
const decodedWriters = new TtlCache<string, PropertyWriter[] | null>(TIER0_GROUPS_TTL_MS, 2_000);

/**
 * The same, by the very Buffer: a look-up answer kept by the directory hands every reader the same
 * descriptor Buffer (never written to), so a read of an unchanged target skips even the digest.
 */
const writersOfBuffer = new WeakMap<Buffer, Map<string, PropertyWriter[] | null>>();

function decodeWriters(raw: Buffer | null, spec: PropertyWriteSpec): PropertyWriter[] | null {
  if (!raw) return null;
  const specKey = `${spec.objectClassGuid}|${spec.propertyGuids.join(',')}`;
  let ofBuffer = writersOfBuffer.get(raw);
  if (!ofBuffer) writersOfBuffer.set(raw, (ofBuffer = new Map()));
  const seen = ofBuffer.get(specKey);
  if (seen !== undefined) return seen;
  const writers = decodeWritersOfBytes(raw, spec, specKey);
  ofBuffer.set(specKey, writers);
  return writers;
}

function decodeWritersOfBytes(raw: Buffer, spec: PropertyWriteSpec, specKey: string): PropertyWriter[] | null {
  const digest = createHash('sha256').update(raw).digest('base64');
  const key = `${specKey}|${digest}`;
  const known = decodedWriters.get(key);
  if (known !== undefined) return known;
  let writers: PropertyWriter[] | null;
  try {
    writers = propertyWriters(decodeSecurityDescriptor(raw), spec);
  } catch (error) {
    if (!(error instanceof SecurityDescriptorError)) throw error;
    writers = null;
  }
  decodedWriters.set(key, writers);
  return writers;
}

/** Display name of a writer: DOMAIN-less sAMAccountName, or the SID. */
export function writerName(writer: Pick<Writer, 'samAccountName' | 'sid'>): string {
  return writer.samAccountName ?? writer.sid;
}

function describe(writers: Writer[]): string {
  return writers
    .map((w) => `${writerName(w)} (${w.via === 'owner' ? 'owner, ' : ''}${w.rights.join(', ')})`)
    .join('; ');
}

export function rbcdWarnings(target: Pick<DirectoryObject, 'samAccountName'>, writers: Writer[]): WriterWarning[] {
  const warnings: WriterWarning[] = [];
  const others = writers.filter((w) => w.class === 'other');
  if (others.length) {
    warnings.push({
      code: 'RBCD_WRITABLE_BY_NON_TIER0',
      message: `Outside Tier 0, ${describe(others)} can write the RBCD list of ${target.samAccountName} directly, skipping approvals, audit and expiry: remove those rights, or move the object where they do not apply`,
    });
  }
  const self = writers.filter((w) => w.class === 'self');
  if (self.length) {
    warnings.push({
      code: 'RBCD_SELF_WRITABLE',
      message: `${target.samAccountName} itself (SELF) can write its own RBCD list (the default in AD). Relayed machine authentication (KrbRelayUp-style) can use that to add an entry; the mitigation is LDAP signing plus channel binding on every DC`,
    });
  }
  return warnings;
}

import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type EntityManager, In, Not } from 'typeorm';
import { insertRows } from '../database/insert-rows';
import { UnitOfWork } from '../database/unit-of-work';
import type { AccountRef } from '../directory/directory.types';
import type { RequestEntity } from '../requests/request.entity';
import { GrantEntity } from './grant.entity';

const IN_CHUNK = 500;

/** Where a grant is: its target and principal. */
export type GrantPair = Pick<GrantEntity, 'targetSid' | 'principalSid'>;
/** An active grant as an access review lists it. */
export type ActiveGrant = Pick<GrantEntity, 'requestId' | 'targetSid' | 'targetDn' | 'targetDomain' | 'principalSid'>;

/** The only code that reads or writes the grants table. */
@Injectable()
export class GrantRepository {
  constructor(private readonly uow: UnitOfWork) {}

  async insert(m: EntityManager, rows: GrantEntity[]): Promise<void> {
    await insertRows(m, GrantEntity, rows);
  }

  /** The request's grants (target and state only). */
  statesOfRequest(requestId: string): Promise<Pick<GrantEntity, 'targetSid' | 'state'>[]> {
    return this.uow.manager
      .getRepository(GrantEntity)
      .find({ select: { targetSid: true, state: true }, where: { requestId } });
  }

  /** The request's grants on these targets, in any state. */
  ofRequestOnTargets(m: EntityManager, requestId: string, targetSids: string[]): Promise<GrantEntity[]> {
    return m.getRepository(GrantEntity).find({ where: { requestId, targetSid: In(targetSids) } });
  }

  /** The request's active grants on one target. */
  activeOfRequestOnTarget(
    requestId: string,
    targetSid: string,
    m: EntityManager = this.uow.manager,
  ): Promise<GrantEntity[]> {
    return m.getRepository(GrantEntity).find({ where: { requestId, targetSid, state: 'active' } });
  }

  /** Other requests' active grants on these targets (where and to whom only). */
  activePairsOfOthers(m: EntityManager, targetSids: string[], requestId: string): Promise<GrantPair[]> {
    return m.getRepository(GrantEntity).find({
      select: { targetSid: true, principalSid: true },
      where: { targetSid: In(targetSids), state: 'active', requestId: Not(requestId) },
    });
  }

  /** Other requests' active grants on one target. */
  activeOfOthersOnTarget(targetSid: string, requestId: string): Promise<GrantEntity[]> {
    return this.uow.manager
      .getRepository(GrantEntity)
      .find({ where: { targetSid, state: 'active', requestId: Not(requestId) } });
  }

  /** Active grants on one target (of these principals only, when given). */
  activeOnTarget(
    targetSid: string,
    principalSids?: string[],
    m: EntityManager = this.uow.manager,
  ): Promise<GrantEntity[]> {
    return m.getRepository(GrantEntity).find({
      where: { targetSid, state: 'active', ...(principalSids ? { principalSid: In(principalSids) } : {}) },
    });
  }

  countActiveOfRequest(requestId: string, m: EntityManager = this.uow.manager): Promise<number> {
    return m.getRepository(GrantEntity).count({ where: { requestId, state: 'active' } });
  }

  /** The requests with an ended grant of one of these principals on one of these targets. */
  async requestsWithEnded(m: EntityManager, targetSids: string[], principalSids: string[]): Promise<string[]> {
    const rows = await m.getRepository(GrantEntity).find({
      select: { requestId: true },
      where: { state: 'ended', targetSid: In(targetSids), principalSid: In(principalSids) },
    });
    return [...new Set(rows.map((g) => g.requestId))];
  }

  /** These grants end now. */
  async end(m: EntityManager, ids: string[], at: string): Promise<void> {
    if (ids.length) await m.getRepository(GrantEntity).update({ id: In(ids) }, { state: 'ended', endedAt: at });
  }

  /** The active grants of these principals on one target end now (an explicit revoke). */
  async endOnTarget(m: EntityManager, targetSid: string, principalSids: string[], at: string): Promise<void> {
    await m
      .getRepository(GrantEntity)
      .update({ targetSid, principalSid: In(principalSids), state: 'active' }, { state: 'ended', endedAt: at });
  }

  /** Every active grant of the request ends now. */
  async endActiveOfRequest(m: EntityManager, requestId: string, at: string): Promise<void> {
    await m.getRepository(GrantEntity).update({ requestId, state: 'active' }, { state: 'ended', endedAt: at });
  }

  /** These grants now own their ACE (the grant that added it ended while they still need it). */
  async handOver(m: EntityManager, ids: string[]): Promise<void> {
    if (ids.length) await m.getRepository(GrantEntity).update({ id: In(ids) }, { aceAddedByService: true });
  }

  /** The request's grants (only its active ones, with `activeOnly`) now expire at `expiresAt`. */
  async setExpiry(
    m: EntityManager,
    requestId: string,
    expiresAt: string | null,
    options: { activeOnly?: boolean } = {},
  ): Promise<void> {
    await m
      .getRepository(GrantEntity)
      .update({ requestId, ...(options.activeOnly ? { state: 'active' as const } : {}) }, { expiresAt });
  }

  /** Every active grant, oldest first. */
  allActive(): Promise<GrantEntity[]> {
    return this.uow.manager
      .getRepository(GrantEntity)
      .find({ where: { state: 'active' }, order: { createdAt: 'ASC' } });
  }

  /** Every active grant, as an access review lists it. */
  active(): Promise<ActiveGrant[]> {
    return this.uow.manager.getRepository(GrantEntity).find({
      select: { requestId: true, targetSid: true, targetDn: true, targetDomain: true, principalSid: true },
      where: { state: 'active' },
    });
  }

  countActive(): Promise<number> {
    return this.uow.manager.getRepository(GrantEntity).count({ where: { state: 'active' } });
  }

  /** `<TARGET SID>|<PRINCIPAL SID>` (upper case) of the grants on these targets, active ones only with `activeOnly`. */
  async pairsOnTargets(targetSids: string[], options: { activeOnly?: boolean } = {}): Promise<Set<string>> {
    const pairs = new Set<string>();
    const sids = [...new Set(targetSids)];
    for (let i = 0; i < sids.length; i += IN_CHUNK) {
      const rows = await this.uow.manager.getRepository(GrantEntity).find({
        select: { targetSid: true, principalSid: true },
        where: {
          targetSid: In(sids.slice(i, i + IN_CHUNK)),
          ...(options.activeOnly ? { state: 'active' as const } : {}),
        },
      });
      for (const row of rows) pairs.add(pairKey(row));
    }
    return pairs;
  }
}

/** `<TARGET SID>|<PRINCIPAL SID>`, upper case. */
/** A new active grant row: `principalSid` on `target` for `request`, from `now` until the request's expiry. */
export function activeGrantRow(
  request: Pick<RequestEntity, 'id' | 'expiresAt'>,
  target: Pick<AccountRef, 'sid' | 'dn' | 'domain'>,
  principalSid: string,
  how: { aceAddedByService: boolean; adopted: boolean },
  now: string,
): GrantEntity {
  return {
    id: randomUUID(),
    requestId: request.id,
    targetSid: target.sid,
    targetDn: target.dn,
    targetDomain: target.domain,
    principalSid,
    state: 'active',
    ...how,
    createdAt: now,
    expiresAt: request.expiresAt,
    endedAt: null,
  };
}

export function pairKey(g: GrantPair): string {
  return `${g.targetSid.toUpperCase()}|${g.principalSid.toUpperCase()}`;
}

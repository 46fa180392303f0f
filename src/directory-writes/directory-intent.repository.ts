import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type EntityManager, In, LessThan } from 'typeorm';
import { insertRows } from '../database/insert-rows';
import { UnitOfWork } from '../database/unit-of-work';
import { DirectoryIntentEntity, type IntentAction, type IntentState } from './directory-intent.entity';

export interface NewIntent {
  requestId: string | null;
  action: IntentAction;
  operation: 'add' | 'remove';
  target: { dn: string; sid: string; domain: string };
  principals: string[];
  inForceBefore: string[];
  valueBefore: Buffer | null;
  actor: string;
}

const IN_CHUNK = 500;
/** Intents closed by one SQLite UPDATE (three parameters each). */
const CLOSE_CHUNK = 200;

/** The only code that reads or writes the directory_intents table. */
@Injectable()
export class DirectoryIntentRepository {
  constructor(private readonly uow: UnitOfWork) {}

  async insert(m: EntityManager, intents: NewIntent[], at: string): Promise<DirectoryIntentEntity[]> {
    const rows = intents.map((i): DirectoryIntentEntity => ({
      id: randomUUID(),
      requestId: i.requestId,
      action: i.action,
      operation: i.operation,
      targetSid: i.target.sid.toUpperCase(),
      targetDn: i.target.dn,
      targetDomain: i.target.domain,
      principals: i.principals.map((s) => s.toUpperCase()),
      inForceBefore: i.inForceBefore.map((s) => s.toUpperCase()),
      valueBefore: i.valueBefore ? i.valueBefore.toString('base64') : null,
      state: 'pending',
      valueAfter: null,
      actor: i.actor,
      createdAt: at,
      finishedAt: null,
    }));
    await insertRows(m, DirectoryIntentEntity, rows);
    return rows;
  }

  /**
   * The service's writes on these targets, oldest first (what each saw in force before it): tells a
   * standing entry the service carried through its own writes from one written behind its back.
   */
  async historyForTargets(targetSids: string[]): Promise<Map<string, DirectoryIntentEntity[]>> {
    const history = new Map<string, DirectoryIntentEntity[]>();
    const sids = [...new Set(targetSids.map((s) => s.toUpperCase()))];
    for (let i = 0; i < sids.length; i += IN_CHUNK) {
      const rows = await this.uow.manager.getRepository(DirectoryIntentEntity).find({
        where: { targetSid: In(sids.slice(i, i + IN_CHUNK)) },
        order: { createdAt: 'ASC' },
      });
      for (const row of rows) history.set(row.targetSid, [...(history.get(row.targetSid) ?? []), row]);
    }
    return history;
  }

  /** Closes a pending intent; false when it was already closed (by another worker or the reconciler). */
  async close(
    m: EntityManager,
    id: string,
    state: Exclude<IntentState, 'pending'>,
    valueAfter: Buffer | null,
    at: string,
  ): Promise<boolean> {
    const result = await m
      .getRepository(DirectoryIntentEntity)
      .update(
        { id, state: 'pending' },
        { state, valueAfter: valueAfter ? valueAfter.toString('base64') : null, finishedAt: at },
      );
    return (result.affected ?? 0) > 0;
  }

  /**
   * Closes several pending intents at once; returns the ids it closed (one already closed, by
   * another worker or the reconciler, is left as it is and not returned): one UPDATE on PostgreSQL,
   * one per 200 intents on SQLite.
   */
  async closeMany(
    m: EntityManager,
    closes: { id: string; state: Exclude<IntentState, 'pending'>; valueAfter: Buffer | null }[],
    at: string,
  ): Promise<Set<string>> {
    const closed = new Set<string>();
    if (closes.length === 0) return closed;
    if (!this.uow.isPostgres) {
      for (let i = 0; i < closes.length; i += CLOSE_CHUNK) {
        const chunk = closes.slice(i, i + CLOSE_CHUNK);
        const returned = (await m.query(
          `UPDATE directory_intents
              SET state = v.state, value_after = v.value_after, finished_at = ?
             FROM (SELECT column1 AS id, column2 AS state, column3 AS value_after
                     FROM (VALUES ${chunk.map(() => '(?, ?, ?)').join(', ')})) AS v
            WHERE directory_intents.id = v.id AND directory_intents.state = 'pending'
        RETURNING directory_intents.id AS id`,
          [at, ...chunk.flatMap((c) => [c.id, c.state, c.valueAfter ? c.valueAfter.toString('base64') : null])],
        )) as { id: string }[];
        for (const row of returned) closed.add(row.id);
      }
      return closed;
    }
    const rows = (await m.query(
      `UPDATE directory_intents AS d
          SET state = v.state, value_after = v.value_after, finished_at = $4
         FROM (SELECT unnest($1::text[]) AS id, unnest($2::text[]) AS state, unnest($3::text[]) AS value_after) AS v
        WHERE d.id = v.id AND d.state = 'pending'
    RETURNING d.id`,
      [
        closes.map((c) => c.id),
        closes.map((c) => c.state),
        closes.map((c) => (c.valueAfter ? c.valueAfter.toString('base64') : null)),
        at,
      ],
    )) as [{ id: string }[], number] | { id: string }[];
    // TypeORM's PostgreSQL driver answers an UPDATE ... RETURNING with [rows, count].
    const returned = Array.isArray(rows[0]) ? (rows[0] as { id: string }[]) : (rows as { id: string }[]);
    for (const row of returned) closed.add(row.id);
    return closed;
  }

  /** Pending intents of a request (optionally of one action), oldest first. */
  pendingForRequest(requestId: string, action?: IntentAction): Promise<DirectoryIntentEntity[]> {
    return this.uow.manager
      .getRepository(DirectoryIntentEntity)
      .find({ where: { requestId, state: 'pending', ...(action ? { action } : {}) }, order: { createdAt: 'ASC' } });
  }

  /** Pending intents created before `before`: writes whose outcome never came (crash, lost connection). */
  pendingSince(before: string): Promise<DirectoryIntentEntity[]> {
    return this.uow.manager
      .getRepository(DirectoryIntentEntity)
      .find({ where: { state: 'pending', createdAt: LessThan(before) }, order: { createdAt: 'ASC' }, take: 5000 });
  }

  findForRequest(requestId: string): Promise<DirectoryIntentEntity[]> {
    return this.uow.manager
      .getRepository(DirectoryIntentEntity)
      .find({ where: { requestId }, order: { createdAt: 'ASC' } });
  }
}

/** Pending intents by target SID (upper case). */
export function byTarget(intents: DirectoryIntentEntity[]): Map<string, DirectoryIntentEntity[]> {
  const map = new Map<string, DirectoryIntentEntity[]>();
  for (const i of intents) map.set(i.targetSid, [...(map.get(i.targetSid) ?? []), i]);
  return map;
}

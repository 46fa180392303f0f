import { Injectable } from '@nestjs/common';
import { type EntityManager, In } from 'typeorm';
import { insertRows } from '../database/insert-rows';
import { UnitOfWork } from '../database/unit-of-work';
import { type RecordedWriter, WriterBaselineEntity } from './writer-baseline.entity';
import type { Writer } from './writers.service';

const IN_CHUNK = 500;

/** The recorded form of the writers outside Tier 0 (class `other`), in a stable order. */
export function recordedWriters(writers: Writer[]): RecordedWriter[] {
  return writers
    .filter((w) => w.class === 'other')
    .map((w) => ({ sid: w.sid.toUpperCase(), via: w.via, rights: [...w.rights].sort() }))
    .sort((a, b) => `${a.sid}|${a.via}`.localeCompare(`${b.sid}|${b.via}`));
}

/**
 * Writers outside Tier 0 now that the baseline does not hold: a new trustee, a trustee that writes
 * a new way (owner, ACE), or one with a right it did not have.
 */
export function gainedWriters(baseline: RecordedWriter[], writers: Writer[]): Writer[] {
  return writers.filter((w) => {
    if (w.class !== 'other') return false;
    const before = baseline.find((b) => b.sid === w.sid.toUpperCase() && b.via === w.via);
    return !before || w.rights.some((r) => !before.rights.includes(r));
  });
}

/** The only code that reads or writes the writer_baselines table. */
@Injectable()
export class WriterBaselineRepository {
  constructor(private readonly uow: UnitOfWork) {}

  /** Baselines of these targets, by upper-case SID (a target without one is absent). */
  async forTargets(targetSids: string[]): Promise<Map<string, RecordedWriter[]>> {
    const found = new Map<string, RecordedWriter[]>();
    const sids = [...new Set(targetSids.map((s) => s.toUpperCase()))];
    for (let i = 0; i < sids.length; i += IN_CHUNK) {
      const rows = await this.uow.manager
        .getRepository(WriterBaselineEntity)
        .find({ where: { targetSid: In(sids.slice(i, i + IN_CHUNK)) } });
      for (const row of rows) found.set(row.targetSid, row.writers);
    }
    return found;
  }

  /**
   * Records the target's writers at apply: replaces the baseline when no other grant is active on
   * the target (a new grant period starts), keeps it otherwise (the reconciler compares with it, so
   * a writer gained meanwhile is still reported).
   */
  async recordAtApply(
    m: EntityManager,
    targetSid: string,
    writers: Writer[],
    at: string,
    otherGrantsActive: boolean,
  ): Promise<void> {
    const repo = m.getRepository(WriterBaselineEntity);
    const key = targetSid.toUpperCase();
    if (otherGrantsActive && (await repo.exists({ where: { targetSid: key } }))) return;
    await repo.upsert({ targetSid: key, writers: recordedWriters(writers), recordedBy: 'apply', recordedAt: at }, [
      'targetSid',
    ]);
  }

  /**
   * recordAtApply for several targets in one go (a batch of grant writes): the targets with another
   * active grant keep a baseline they have; every other one is replaced, a hundred rows an upsert.
   */
  async recordManyAtApply(
    m: EntityManager,
    entries: { targetSid: string; writers: Writer[]; otherGrantsActive: boolean }[],
    at: string,
  ): Promise<void> {
    if (entries.length === 0) return;
    const repo = m.getRepository(WriterBaselineEntity);
    const busy = entries.filter((e) => e.otherGrantsActive).map((e) => e.targetSid.toUpperCase());
    const kept = new Set<string>();
    for (let i = 0; i < busy.length; i += IN_CHUNK) {
      const rows = await repo.find({
        select: { targetSid: true },
        where: { targetSid: In(busy.slice(i, i + IN_CHUNK)) },
      });
      for (const row of rows) kept.add(row.targetSid);
    }
    const rows = entries
      .filter((e) => !kept.has(e.targetSid.toUpperCase()))
      .map((e) => ({
        targetSid: e.targetSid.toUpperCase(),
        writers: recordedWriters(e.writers),
        recordedBy: 'apply' as const,
        recordedAt: at,
      }));
    await insertRows(m, WriterBaselineEntity, rows, { upsertOn: ['targetSid'] });
  }

  /** The writers the reconciler saw, as the baseline of its next run. */
  async recordReconciled(targetSid: string, writers: Writer[], at: string): Promise<void> {
    await this.uow.manager.getRepository(WriterBaselineEntity).upsert(
      {
        targetSid: targetSid.toUpperCase(),
        writers: recordedWriters(writers),
        recordedBy: 'reconcile',
        recordedAt: at,
      },
      ['targetSid'],
    );
  }
}

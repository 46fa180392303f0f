import { Injectable } from '@nestjs/common';
import { LessThanOrEqual } from 'typeorm';
import { Clock } from '../common/clock';
import { UnitOfWork } from '../database/unit-of-work';
import { SeenSignatureEntity } from './seen-signature.entity';

/**
 * Remembers accepted request signatures in the database, so a signed chat request is accepted once
 * by the whole deployment, not once per replica. Forgotten signatures are deleted as it goes.
 */
@Injectable()
export class ReplayGuard {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
  ) {}

  /** True the first time `signature` is presented (then remembered for `rememberMs`), false for a replay. */
  async firstSighting(signature: string, rememberMs: number): Promise<boolean> {
    const now = this.clock.now();
    try {
      await this.uow.run(async (m) => {
        const seen = m.getRepository(SeenSignatureEntity);
        await seen.delete({ forgetAfter: LessThanOrEqual(now.toISOString()) });
        await seen.insert({ signature, forgetAfter: new Date(now.getTime() + rememberMs).toISOString() });
      });
      return true;
    } catch (error) {
      // The primary key refused it: another request (on any replica) already carried this signature.
      if (await this.uow.manager.getRepository(SeenSignatureEntity).exists({ where: { signature } })) return false;
      throw error;
    }
  }
}

import { Injectable } from '@nestjs/common';
import { LessThanOrEqual } from 'typeorm';
import { UnitOfWork } from '../database/unit-of-work';
import { SeenSignatureEntity } from './seen-signature.entity';

/** The only code that reads or writes seen_signatures. */
@Injectable()
export class SeenSignatureRepository {
  constructor(private readonly uow: UnitOfWork) {}

  /**
   * In one transaction: forgets the signatures due to be forgotten at `now`, and remembers
   * `signature` until `forgetAfter`. Rejects (primary key) when the signature is already remembered.
   */
  async remember(signature: string, forgetAfter: string, now: string): Promise<void> {
    await this.uow.run(async (m) => {
      const seen = m.getRepository(SeenSignatureEntity);
      await seen.delete({ forgetAfter: LessThanOrEqual(now) });
      await seen.insert({ signature, forgetAfter });
    });
  }

  has(signature: string): Promise<boolean> {
    return this.uow.manager.getRepository(SeenSignatureEntity).exists({ where: { signature } });
  }
}

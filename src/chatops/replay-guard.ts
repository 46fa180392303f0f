import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { SeenSignatureRepository } from './seen-signature.repository';

/**
 * Remembers accepted request signatures in the database, so a signed chat request is accepted once
 * by the whole deployment, not once per replica. Forgotten signatures are deleted as it goes.
 */
@Injectable()
export class ReplayGuard {
  constructor(
    private readonly seen: SeenSignatureRepository,
    private readonly clock: Clock,
  ) {}

  /** True the first time `signature` is presented (then remembered for `rememberMs`), false for a replay. */
  async firstSighting(signature: string, rememberMs: number): Promise<boolean> {
    const now = this.clock.now();
    try {
      await this.seen.remember(signature, new Date(now.getTime() + rememberMs).toISOString(), now.toISOString());
      return true;
    } catch (error) {
      // The primary key refused it: another request (on any replica) already carried this signature.
      if (await this.seen.has(signature)) return false;
      throw error;
    }
  }
}

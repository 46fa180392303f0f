import { Injectable } from '@nestjs/common';

/** Time as a dependency, so tests can move it (expiry, backoff) without sleeping. */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }

  nowIso(): string {
    return this.now().toISOString();
  }
}

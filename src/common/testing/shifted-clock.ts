import { Clock } from '../clock';

/**
 * Real time that tests can move forward by hand: it keeps running (leases, backoff and HTTP timeouts
 * behave as in production), and `advance` jumps over a wait (a due date) instead of sleeping through it,
 * so a step that must happen before the jump cannot be overtaken by a slow machine.
 */
export class ShiftedClock extends Clock {
  private offsetMs = 0;

  override now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }

  /** Moves time so that `at` has passed by `pastByMs`. */
  passTo(at: Date | string, pastByMs = 1000): void {
    const gap = new Date(at).getTime() + pastByMs - this.now().getTime();
    if (gap > 0) this.advance(gap);
  }
}

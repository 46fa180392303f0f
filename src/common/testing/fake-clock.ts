import { Clock } from '../clock';

/** A clock tests move by hand (timers, expiry, time-outs) instead of sleeping. */
export class FakeClock extends Clock {
  constructor(private current = new Date('2026-12-01T08:00:00Z')) {
    super();
  }

  override now(): Date {
    return new Date(this.current.getTime());
  }

  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }

  set(at: Date | string): void {
    this.current = new Date(at);
  }
}

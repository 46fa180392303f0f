/**
 * The service's one self-rescheduling timer: start() runs `task` after `firstDelayMs`, then again
 * `intervalMs` after each run settles (never two runs at once, however long one takes), until
 * stop(). A run that throws is reported through `onError` and the schedule goes on.
 */
export class RepeatingTimer {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly task: () => Promise<unknown>,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(intervalMs: number, firstDelayMs = intervalMs): void {
    if (this.timer) return;
    const tick = () =>
      this.task()
        .catch(this.onError)
        .finally(() => {
          if (this.timer) this.timer = setTimeout(tick, intervalMs);
        });
    this.timer = setTimeout(tick, firstDelayMs);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  get running(): boolean {
    return this.timer !== undefined;
  }
}

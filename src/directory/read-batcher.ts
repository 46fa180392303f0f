/**
 * DataLoader-style batching with a bound on batches in flight: what callers ask in the same tick is
 * sent as one batch (up to `maxBatch` items); while `maxInFlight` batches are out, new items wait
 * and join the next batch, so under load batches grow instead of the number of requests.
 *
 * Freshness: an item only ever joins a batch that has not been sent yet, so its answer always comes
 * from a request sent after the caller asked (never from one started earlier, e.g. before a write).
 */
export class ReadBatcher<I, R> {
  private pending: { item: I; resolve: (value: R) => void; reject: (error: unknown) => void }[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    /** Answers a whole batch: one result per item, in order (or throws for all of them). */
    private readonly runBatch: (items: I[]) => Promise<R[]>,
    private readonly maxBatch: number,
    private readonly maxInFlight: number,
  ) {}

  load(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.pending.length >= this.maxBatch) this.flush();
      else this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.pending.length > 0 && this.inFlight < this.maxInFlight) {
      const batch = this.pending.splice(0, this.maxBatch);
      this.inFlight++;
      this.runBatch(batch.map((p) => p.item))
        .then(
          (results) => batch.forEach((p, i) => p.resolve(results[i])),
          (error: unknown) => batch.forEach((p) => p.reject(error)),
        )
        .finally(() => {
          this.inFlight--;
          if (this.pending.length > 0) this.schedule();
        });
    }
  }
}

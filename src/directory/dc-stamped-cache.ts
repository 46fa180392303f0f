/**
 * Where a DC's database stood when something was read from it: the DC (its dsServiceName) and its
 * highestCommittedUSN. Every change a DC commits, whoever makes it and on whatever object, raises
 * that number, so two equal stamps mean the DC committed nothing in between.
 */
export interface DcStamp {
  dc: string;
  usn: string;
}

/**
 * Answers read from a DC, each kept with the stamp taken just *before* its search. An answer is
 * handed out again only for the same stamp, taken after the new caller asked: the DC has committed
 * nothing since the answer's search started, so the answer is what a search sent now would return
 * (a change committed before the new caller asked would have raised the stamp). An answer is
 * therefore never shared across a write, as a live search is not. Bounded: the oldest entries go
 * first, and nothing is kept longer than `maxAgeMs` however quiet the DC is.
 */
export class DcStampedCache<V> {
  private readonly entries = new Map<string, { stamp: DcStamp; value: V; storedAt: number }>();

  constructor(
    private readonly maxEntries: number,
    private readonly maxAgeMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.maxEntries > 0;
  }

  /** The answer kept for `key`, when it was read (or checked) at exactly `stamp`. */
  get(key: string, stamp: DcStamp): V | undefined {
    const entry = this.fresh(key);
    return entry && entry.stamp.dc === stamp.dc && entry.stamp.usn === stamp.usn ? entry.value : undefined;
  }

  /**
   * The answer kept for `key` at an earlier stamp of the same DC (something was committed since,
   * maybe elsewhere): a caller may check it against the DC (each entry's uSNChanged) and keep it
   * again at the new stamp when nothing it holds has changed.
   */
  keptEarlier(key: string, stamp: DcStamp): V | undefined {
    const entry = this.fresh(key);
    return entry && entry.stamp.dc === stamp.dc ? entry.value : undefined;
  }

  /** Keeps `value`, read (or checked) by a search sent after `stamp` was taken on the same connection. */
  set(key: string, stamp: DcStamp, value: V): void {
    if (!this.enabled) return;
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { stamp, value, storedAt: this.now() });
  }

  /**
   * The answer kept for `key`, checked unchanged after `stamp` was taken: kept at that stamp now.
   * Its age still counts from its search (the ceiling bounds how old any answer can be).
   */
  restamp(key: string, stamp: DcStamp): void {
    const entry = this.entries.get(key);
    if (entry) entry.stamp = stamp;
  }

  /** The entry for `key` unless it is older than the ceiling (then it is dropped). */
  private fresh(key: string): { stamp: DcStamp; value: V; storedAt: number } | undefined {
    const entry = this.entries.get(key);
    if (entry && this.now() - entry.storedAt > this.maxAgeMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  get size(): number {
    return this.entries.size;
  }
}

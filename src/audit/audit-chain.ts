// The hash chain, checked one event at a time: the same code verifies the database (AuditService)
// and an exported JSONL file offline (`rbcd audit verify`, no server involved). Framework-free:
// node:crypto only, so the CLI can load it without NestJS or TypeORM.
import { eventHash, GENESIS_HASH } from './audit-hash';
import type { AuditEventView } from './audit.types';

export interface ChainBreak {
  /** The first event (sequence number) whose link does not hold. */
  seq: number;
  reason: string;
}

export interface ChainResult {
  ok: boolean;
  events: number;
  firstSeq?: number;
  lastSeq?: number;
  /** The hash the checked range starts from: the genesis hash, or the prevHash of a partial export's first event. */
  anchor?: string;
  firstBadSeq?: number;
  reason?: string;
  /** Events received again, identical (allowRepeats): at-least-once delivery sends a batch twice. */
  repeats?: number;
}

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * Feed events in chain order; the first broken link is kept and every later push is ignored.
 * A range that does not start at event 1 (an export `--since`) is anchored on its first event's
 * prevHash, unless the caller pins the anchor (the hash of the event before, from another source).
 */
export class ChainVerifier {
  private prevHash: string | undefined;
  private expectedSeq: number | undefined;
  private count = 0;
  private firstSeq?: number;
  private anchor?: string;
  private broken?: ChainBreak;
  /** seq -> hash of every verified event, kept only when repeats are allowed. */
  private readonly seen?: Map<number, string>;
  private repeats = 0;
  private lineNo = 0;

  constructor(options: { fromGenesis?: boolean; anchor?: string; allowRepeats?: boolean } = {}) {
    if (options.allowRepeats) this.seen = new Map();
    if (options.fromGenesis) {
      this.prevHash = GENESIS_HASH;
      this.expectedSeq = 1;
    }
    if (options.anchor !== undefined) this.prevHash = options.anchor;
  }

  /** Returns the break this event caused, if it is the first one. */
  push(event: AuditEventView): ChainBreak | undefined {
    if (this.broken) return undefined;
    if (
      this.seen &&
      this.expectedSeq !== undefined &&
      Number.isInteger(event?.seq) &&
      event.seq < this.expectedSeq &&
      this.seen.has(event.seq)
    ) {
      // A SIEM's file holds what was sent, and a batch that failed half-way was sent again.
      if (this.seen.get(event.seq) === event.hash && eventHash(event.prevHash, event) === event.hash) {
        this.repeats++;
        return undefined;
      }
      this.broken = { seq: event.seq, reason: `event ${event.seq} was received again with different content` };
      return this.broken;
    }
    const problem = this.check(event);
    if (problem) {
      this.broken = problem;
      return problem;
    }
    this.prevHash = event.hash;
    this.expectedSeq = event.seq + 1;
    this.count++;
    this.seen?.set(event.seq, event.hash);
    return undefined;
  }

  /**
   * One line of a JSON Lines export (blank lines are skipped); true once the chain is broken, so a
   * reader can stop there.
   */
  pushLine(raw: string): boolean {
    this.lineNo++;
    const line = raw.trim();
    if (line === '') return this.broken !== undefined;
    let event: AuditEventView;
    try {
      event = JSON.parse(line) as AuditEventView;
    } catch {
      this.fail(`line ${this.lineNo} is not JSON`);
      return true;
    }
    return this.push(event) !== undefined;
  }

  /** A line that is not an event at all (bad JSON, missing field) breaks the chain where it sits. */
  fail(reason: string): void {
    if (!this.broken) this.broken = { seq: this.expectedSeq ?? 0, reason };
  }

  result(): ChainResult {
    const range = {
      ...(this.count > 0
        ? { firstSeq: this.firstSeq, lastSeq: (this.expectedSeq as number) - 1, anchor: this.anchor }
        : {}),
      ...(this.seen ? { repeats: this.repeats } : {}),
    };
    if (this.broken)
      return { ok: false, events: this.count, ...range, firstBadSeq: this.broken.seq, reason: this.broken.reason };
    return { ok: true, events: this.count, ...range };
  }

  private check(event: AuditEventView): ChainBreak | undefined {
    const shape = shapeProblem(event);
    if (shape) return { seq: typeof event?.seq === 'number' ? event.seq : (this.expectedSeq ?? 0), reason: shape };
    if (this.expectedSeq === undefined) {
      this.expectedSeq = event.seq;
      if (event.seq === 1 && this.prevHash === undefined) this.prevHash = GENESIS_HASH;
    }
    if (this.prevHash === undefined) this.prevHash = event.prevHash;
    if (this.firstSeq === undefined) {
      this.firstSeq = event.seq;
      this.anchor = this.prevHash;
    }
    if (event.seq !== this.expectedSeq) {
      return event.seq > this.expectedSeq
        ? { seq: this.expectedSeq, reason: `event ${this.expectedSeq} is missing (next is ${event.seq})` }
        : { seq: event.seq, reason: `event ${event.seq} is out of order or repeated (expected ${this.expectedSeq})` };
    }
    if (event.prevHash !== this.prevHash)
      return { seq: event.seq, reason: `event ${event.seq} does not link to the event before it` };
    if (eventHash(this.prevHash, event) !== event.hash)
      return { seq: event.seq, reason: `event ${event.seq} was altered after it was written` };
    return undefined;
  }
}

function shapeProblem(event: AuditEventView): string | undefined {
  if (event === null || typeof event !== 'object' || Array.isArray(event))
    return 'not an audit event (a JSON object is expected)';
  if (!Number.isInteger(event.seq) || event.seq < 1) return 'not an audit event (seq must be a positive integer)';
  for (const field of ['id', 'at', 'actor', 'type'] as const) {
    if (typeof event[field] !== 'string') return `event ${event.seq} has no ${field}`;
  }
  if (typeof event.prevHash !== 'string' || !HEX64.test(event.prevHash))
    return `event ${event.seq} has no valid prevHash`;
  if (typeof event.hash !== 'string' || !HEX64.test(event.hash)) return `event ${event.seq} has no valid hash`;
  if (event.data === null || typeof event.data !== 'object') return `event ${event.seq} has no data object`;
  return undefined;
}

/** Verifies JSON Lines text (one event per line, in chain order), e.g. an `rbcd audit export`. */
export function verifyJsonLines(
  lines: Iterable<string>,
  options: { anchor?: string; allowRepeats?: boolean } = {},
): ChainResult {
  const verifier = new ChainVerifier(options);
  for (const raw of lines) {
    if (verifier.pushLine(raw)) break;
  }
  return verifier.result();
}

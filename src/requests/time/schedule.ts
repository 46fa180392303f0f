import { DomainError } from '../../common/errors/domain-error';

/** Clocks differ a little: a startsAt this close to now (or just past) means "now". */
const NOW_TOLERANCE_MS = 5_000;

/**
 * The start of a scheduled request, checked: an ISO 8601 date-time no further ahead than the policy's
 * maxLeadTime. Returns null when the request starts on approval (no startsAt, or one that is now).
 */
export function readStartsAt(
  startsAt: string | undefined,
  action: string,
  now: Date,
  maxLeadTimeMs: number,
): { startsAt: Date | null; reasons: string[] } {
  if (startsAt === undefined || startsAt === null) return { startsAt: null, reasons: [] };
  if (action !== 'grant') throw new DomainError('VALIDATION_FAILED', 'Only a grant can be scheduled (startsAt)');
  const at = Date.parse(startsAt);
  if (Number.isNaN(at)) throw new DomainError('VALIDATION_FAILED', 'startsAt is not an ISO 8601 date-time');
  if (at < now.getTime() - NOW_TOLERANCE_MS) throw new DomainError('VALIDATION_FAILED', 'startsAt is in the past');
  if (at <= now.getTime() + NOW_TOLERANCE_MS) return { startsAt: null, reasons: [] };
  const reasons =
    at - now.getTime() > maxLeadTimeMs
      ? [
          `startsAt is more than the policy's maxLeadTime of ${describeMs(maxLeadTimeMs)} ahead (latest ${new Date(now.getTime() + maxLeadTimeMs).toISOString()})`,
        ]
      : [];
  return { startsAt: new Date(at), reasons };
}

export function describeMs(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000} day(s)`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} hour(s)`;
  return `${Math.round(ms / 60_000)} minute(s)`;
}

// ISO 8601 durations as used in the API and policy (P30D, PT12H, P1DT30M, PT90S). Years and months
// are refused: their length is ambiguous and a grant's expiry must be exact.
const PATTERN = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/**
 * Durations already parsed. Policy evaluates the same few settings for every target of a request
 * (six per target: 24 ms of a 1,000-target apply's time before its first write, session 15); the
 * map is emptied when full and keeps short texts only, so API input cannot make it grow without bound.
 */
const parsed = new Map<string, number | undefined>();
const PARSED_KEPT = 256;
/** Longer texts are parsed every time and never kept (no duration is this long; a body could be). */
const KEPT_LENGTH = 64;

function parse(text: string): number | undefined {
  const normalized = text.trim().toUpperCase();
  const match = PATTERN.exec(normalized);
  if (!match || normalized === 'P' || normalized.endsWith('T')) return undefined;
  const [, weeks, days, hours, minutes, seconds] = match;
  const ms =
    Number(weeks ?? 0) * 604_800_000 +
    Number(days ?? 0) * 86_400_000 +
    Number(hours ?? 0) * 3_600_000 +
    Number(minutes ?? 0) * 60_000 +
    Number(seconds ?? 0) * 1000;
  return ms > 0 ? Math.round(ms) : undefined;
}

/** The duration in milliseconds; undefined when it is not one (or not a positive one). */
export function parseIsoDuration(text: string): number | undefined {
  if (text.length > KEPT_LENGTH) return parse(text);
  if (parsed.has(text)) return parsed.get(text);
  const ms = parse(text);
  if (parsed.size >= PARSED_KEPT) parsed.clear();
  parsed.set(text, ms);
  return ms;
}

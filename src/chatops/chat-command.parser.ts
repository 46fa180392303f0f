// The chat command language, parsed without side effects. Slack sends the text after the slash
// command with &, <, > escaped and links/mentions wrapped in <...>; both are undone first.

export type ChatCommand =
  | { kind: 'help' }
  | {
      kind: 'grant';
      principals: string[];
      targets: string[];
      duration?: string;
      /** `from <ISO date-time>`: a scheduled start. */
      startsAt?: string;
      justification: string;
      ticket?: string;
    }
  | { kind: 'revoke'; principals: string[]; targets: string[]; justification: string; ticket?: string }
  /** An emergency grant (issue 14): applies at once; the ticket is required. */
  | {
      kind: 'breakglass';
      principals: string[];
      targets: string[];
      duration?: string;
      justification: string;
      ticket: string;
    }
  /** `revoke <request id>`: end an applied grant early. */
  | { kind: 'revoke-grant'; id: string; comment?: string }
  | { kind: 'show'; target: string }
  | { kind: 'status'; id: string }
  | { kind: 'approve'; id: string; comment?: string }
  | { kind: 'reject'; id: string; reason: string }
  | { kind: 'cancel'; id: string }
  /** `extend <request id> for <duration> because <justification>`: more time on an applied grant. */
  | { kind: 'extend'; id: string; duration: string; justification: string };

export type ChatCommandKind = ChatCommand['kind'];

export type ParseResult = { ok: true; command: ChatCommand } | { ok: false; error: string };

export const USAGE = [
  'grant <principal> -> <target>[, <target>...] [from <date-time>] [for <duration>] because <justification> [ticket <id>]',
  'revoke <principal> -> <target>[, <target>...] because <justification> [ticket <id>]',
  'revoke <request id> [comment]',
  'breakglass <principal> -> <target> [for <duration>] because <justification> ticket <id>',
  'show <target>',
  'status <request id>',
  'approve <request id> [comment]',
  'reject <request id> <reason>',
  'cancel <request id>',
  'extend <request id> for <duration> because <justification>',
  'help',
];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DN_PART = /^\s*(CN|OU|DC|O|L|ST|C)\s*=/i;

/** Undoes Slack's formatting: `<url|label>` → label, `<mailto:x|x>` → x, then &lt; &gt; &amp;. */
export function unescapeSlack(text: string): string {
  return text
    .replace(/<([^<>|]*)\|([^<>]*)>/g, '$2')
    .replace(/<(?:mailto:)?([^<>]*)>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d]/g, '"');
}

/**
 * Turns a chat duration into ISO 8601: `8h`, `30m`, `1h30m`, `2d`, `1w`, `8 hours`, or an ISO
 * duration as is (`PT8H`). Returns undefined when it is none of these.
 */
export function parseChatDuration(text: string): string | undefined {
  const value = text.trim();
  if (/^P(?!$)(\d+[WD])*(T(?=\d)(\d+[HMS])*)?$/i.test(value)) return value.toUpperCase();
  const unit = /(\d+)\s*(weeks?|w|days?|d|hours?|hrs?|h|minutes?|mins?|m)(?=\d|\s|$)/gi;
  if (!new RegExp(`^(?:\\s*${unit.source}\\s*)+$`, 'i').test(value)) return undefined;
  let days = 0;
  let hours = 0;
  let minutes = 0;
  for (const [, amount, name] of value.matchAll(unit)) {
    const n = Number(amount);
    const u = name.toLowerCase();
    if (u.startsWith('w')) days += 7 * n;
    else if (u.startsWith('d')) days += n;
    else if (u.startsWith('h')) hours += n;
    else minutes += n;
  }
  if (days + hours + minutes === 0) return undefined;
  const time = `${hours ? `${hours}H` : ''}${minutes ? `${minutes}M` : ''}`;
  return `P${days ? `${days}D` : ''}${time ? `T${time}` : ''}`;
}

/**
 * A chat date-time: ISO 8601 with a date, hours and minutes and an explicit zone (`Z` or an
 * offset), so nobody's local clock decides when a grant starts. Returns it normalised to UTC.
 */
export function parseChatDateTime(text: string): string | undefined {
  const value = text.trim().toUpperCase();
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(value)) return undefined;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : new Date(at).toISOString();
}

/** Comma- (or space-) separated identifiers; the commas inside a DN stay with it. */
export function splitIdentifiers(text: string): string[] {
  const items: string[] = [];
  for (const piece of text.split(',')) {
    const last = items.length - 1;
    if (last >= 0 && items[last].includes('=') && DN_PART.test(piece)) items[last] = `${items[last]},${piece.trim()}`;
    else items.push(piece.trim());
  }
  return items.flatMap((item) => (item.includes('=') ? [item] : item.split(/\s+/))).filter(Boolean);
}

/** Parses the text of a slash command (what follows `/rbcd`). */
export function parseChatCommand(raw: string): ParseResult {
  const text = unescapeSlack(raw).trim();
  if (text === '') return { ok: true, command: { kind: 'help' } };
  const [, verbRaw, restRaw = ''] = /^(\S+)\s*([\s\S]*)$/.exec(text) as RegExpExecArray;
  const verb = verbRaw.toLowerCase();
  const rest = restRaw.trim();
  switch (verb) {
    case 'help':
    case '?':
      return { ok: true, command: { kind: 'help' } };
    case 'grant':
      return parseChange('grant', rest);
    case 'breakglass':
    case 'break-glass': {
      const parsed = parseChange('grant', rest);
      const form = 'breakglass <principal> -> <target> [for <duration>] because <justification> ticket <id>';
      if (!parsed.ok) return parsed.error.startsWith('Usage:') ? usage(form) : parsed;
      const grant = parsed.command as Extract<ChatCommand, { kind: 'grant' }>;
      if (!grant.ticket) return { ok: false, error: `Break-glass needs a ticket. Usage: ${form}` };
      return { ok: true, command: { ...grant, kind: 'breakglass', ticket: grant.ticket } };
    }
    case 'revoke': {
      const [first, ...others] = rest.split(/\s+/);
      if (first && UUID.test(first)) {
        const comment = others.join(' ').trim();
        return {
          ok: true,
          command: { kind: 'revoke-grant', id: first.toLowerCase(), ...(comment ? { comment } : {}) },
        };
      }
      return parseChange('revoke', rest);
    }
    case 'show': {
      if (!rest || (/\s/.test(rest) && !rest.includes('='))) return usage('show <target>');
      return { ok: true, command: { kind: 'show', target: rest } };
    }
    case 'status':
    case 'cancel': {
      const id = requestId(rest);
      if (!id || rest.split(/\s+/).length > 1) return usage(`${verb} <request id>`);
      return { ok: true, command: { kind: verb, id } };
    }
    case 'approve': {
      const [first = '', ...others] = rest.split(/\s+/);
      const id = requestId(first);
      if (!id) return usage('approve <request id> [comment]');
      const comment = others.join(' ').trim();
      return { ok: true, command: { kind: 'approve', id, ...(comment ? { comment } : {}) } };
    }
    case 'reject': {
      const [first = '', ...others] = rest.split(/\s+/);
      const id = requestId(first);
      const reason = others.join(' ').trim();
      if (!id || !reason) return usage('reject <request id> <reason>');
      return { ok: true, command: { kind: 'reject', id, reason } };
    }
    case 'extend': {
      const form = 'extend <request id> for <duration> because <justification>';
      const match = /^(\S+)\s+for\s+(.+?)\s+because\s+([\s\S]+)$/i.exec(rest);
      const id = match ? requestId(match[1]) : undefined;
      if (!match || !id || !match[3].trim()) return usage(form);
      const duration = parseChatDuration(match[2]);
      if (!duration) return { ok: false, error: `"${match[2].trim()}" is not a duration (e.g. 8h, 30m, 2d or PT8H)` };
      return { ok: true, command: { kind: 'extend', id, duration, justification: match[3].trim() } };
    }
    default:
      return { ok: false, error: `Unknown command "${verbRaw}". Try: help` };
  }
}

function requestId(text: string): string | undefined {
  const id = text.trim();
  return UUID.test(id) ? id.toLowerCase() : undefined;
}

function usage(form: string): ParseResult {
  return { ok: false, error: `Usage: ${form}` };
}

function parseChange(kind: 'grant' | 'revoke', rest: string): ParseResult {
  const form = kind === 'grant' ? USAGE[0] : USAGE[1];
  const because = /\s+because\s+|^because\s+/i.exec(rest);
  if (!because) return usage(form);
  const head = rest.slice(0, because.index).trim();
  let justification = rest.slice(because.index + because[0].length).trim();
  let ticket: string | undefined;
  const ticketMatch = /\s+ticket\s+(\S+)\s*$/i.exec(justification);
  if (ticketMatch) {
    ticket = ticketMatch[1];
    justification = justification.slice(0, ticketMatch.index).trim();
  }
  if (!justification) return usage(form);
  const arrow = /\s*(?:->|→|=>)\s*/.exec(head);
  if (!arrow) return usage(form);
  const principalText = head.slice(0, arrow.index);
  let targetText = head.slice(arrow.index + arrow[0].length);
  let duration: string | undefined;
  let startsAt: string | undefined;
  const fromMatch = /\s+from\s+(\S+)/i.exec(targetText);
  if (fromMatch) {
    if (kind === 'revoke') return { ok: false, error: 'A revoke takes no start time' };
    startsAt = parseChatDateTime(fromMatch[1]);
    if (!startsAt)
      return {
        ok: false,
        error: `"${fromMatch[1]}" is not a date-time (e.g. 2026-12-02T22:00Z, in UTC or with an offset)`,
      };
    targetText = targetText.slice(0, fromMatch.index) + targetText.slice(fromMatch.index + fromMatch[0].length);
  }
  const forMatch = /\s+for\s+(.+)$/i.exec(targetText);
  if (forMatch) {
    if (kind === 'revoke') return { ok: false, error: 'A revoke takes no duration' };
    duration = parseChatDuration(forMatch[1]);
    if (!duration) return { ok: false, error: `"${forMatch[1].trim()}" is not a duration (e.g. 8h, 30m, 2d or PT8H)` };
    targetText = targetText.slice(0, forMatch.index);
  }
  const principals = splitIdentifiers(principalText);
  const targets = splitIdentifiers(targetText);
  if (principals.length === 0 || targets.length === 0) return usage(form);
  const common = { principals, targets, justification, ...(ticket ? { ticket } : {}) };
  return {
    ok: true,
    command:
      kind === 'grant'
        ? { kind, ...common, ...(duration ? { duration } : {}), ...(startsAt ? { startsAt } : {}) }
        : { kind, ...common },
  };
}

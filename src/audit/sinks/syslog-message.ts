// Audit events as syslog messages: RFC 5424, framed by octet counting (RFC 6587 §3.4.1) for TCP
// with TLS (RFC 5425). The body is the stored event as JSON, or CEF; either way every field the
// hash covers travels, so the chain can be verified from what the SIEM received.
import { canonicalJson } from '../audit-hash';
import type { AuditEventView } from '../audit.types';

/** Facility 13 (log audit), severity 5 (notice): PRI = 13 * 8 + 5. */
const PRI = 109;
/** SD-ID with an enterprise number from the documentation range (RFC 5612): `rbcd@32473`. */
export const SD_ID = 'rbcd@32473';
const APP_NAME = 'rbcd-broker';

export type SyslogBody = 'json' | 'cef';

/** RFC 5424 SD-PARAM value: `"`, `\` and `]` escaped with a backslash. */
function sdValue(value: string): string {
  return value.replace(/["\\\]]/g, (c) => `\\${c}`);
}

/** HOSTNAME / MSGID: printable US-ASCII, no space; `-` when empty. */
function header(value: string, max: number): string {
  const clean = value.replace(/[^\x21-\x7e]/g, '_').slice(0, max);
  return clean === '' ? '-' : clean;
}

export function syslogMessage(event: AuditEventView, body: SyslogBody, hostname: string, version: string): string {
  const sd = `[${SD_ID} seq="${event.seq}" hash="${sdValue(event.hash)}" prevHash="${sdValue(event.prevHash)}" id="${sdValue(event.id)}"]`;
  const msg = body === 'json' ? jsonBody(event) : cefBody(event, version);
  return `<${PRI}>1 ${event.at} ${header(hostname, 255)} ${APP_NAME} - ${header(event.type, 32)} ${sd} ${msg}`;
}

/** `<length> <message>`: the length is the message's size in bytes (RFC 6587 octet counting). */
export function octetFrame(message: string): Buffer {
  const bytes = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from(`${bytes.length} `, 'ascii'), bytes]);
}

/** The event exactly as stored (the export's line format). */
export function jsonBody(event: AuditEventView): string {
  const { seq, id, at, actor, type, requestId, target, data, prevHash, hash } = event;
  return JSON.stringify({ seq, id, at, actor, type, requestId, target, data, prevHash, hash });
}

// ---- CEF (ArcSight Common Event Format, rev. 25) ----

const cefHeader = (value: string) => value.replace(/[\\|]/g, (c) => `\\${c}`).replace(/[\r\n]/g, ' ');
const cefValue = (value: string) =>
  value
    .replace(/[\\=]/g, (c) => `\\${c}`)
    .replace(/\r/g, '\\r')
    .replace(/\n/g, '\\n');

/** Severity 0-10 by event type: failures and drift stand out. */
function cefSeverity(type: string): number {
  if (type === 'drift.detected' || type.endsWith('failed') || type === 'directory.write-failed') return 7;
  if (type === 'directory.write' || type === 'request.applied' || type === 'request.revoked') return 5;
  return 3;
}

/**
 * `CEF:0|rbcd|rbcd-broker|version|type|type|severity|extension`. The extension carries every hashed
 * field: rt (ms since epoch, = `at`), suser (actor), cn1 (seq), cs1-cs6 (hash, prevHash, requestId,
 * target, data as canonical JSON, event id). parseCefEvent() reverses it.
 */
export function cefBody(event: AuditEventView, version: string): string {
  const ext: [string, string][] = [
    ['rt', String(Date.parse(event.at))],
    ['act', event.type],
    ['suser', event.actor],
    ['cn1Label', 'seq'],
    ['cn1', String(event.seq)],
    ['cs1Label', 'hash'],
    ['cs1', event.hash],
    ['cs2Label', 'prevHash'],
    ['cs2', event.prevHash],
    ['cs3Label', 'requestId'],
    ['cs3', event.requestId ?? ''],
    ['cs4Label', 'target'],
    ['cs4', event.target ?? ''],
    ['cs5Label', 'data'],
    ['cs5', canonicalJson(event.data)],
    ['cs6Label', 'eventId'],
    ['cs6', event.id],
  ];
  const type = cefHeader(event.type);
  return `CEF:0|rbcd|rbcd-broker|${cefHeader(version)}|${type}|${type}|${cefSeverity(event.type)}|${ext.map(([k, v]) => `${k}=${cefValue(v)}`).join(' ')}`;
}

/** Reads back a CEF body written by cefBody (tests, and SIEM-side verification scripts). */
export function parseCefEvent(body: string): AuditEventView {
  const parts: string[] = [];
  let current = '';
  let rest = body;
  for (let i = 0; parts.length < 7 && i < body.length; i++) {
    const c = body[i];
    if (c === '\\' && i + 1 < body.length) {
      current += body[++i];
    } else if (c === '|') {
      parts.push(current);
      current = '';
      rest = body.slice(i + 1);
    } else current += c;
  }
  if (parts.length < 7 || parts[0] !== 'CEF:0') throw new Error('not a CEF:0 message');
  const ext: Record<string, string> = {};
  const pattern = /(\w+)=((?:\\.|[^\\])*?)(?= \w+=|$)/g;
  for (const match of rest.matchAll(pattern)) {
    ext[match[1]] = match[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c));
  }
  return {
    seq: Number(ext.cn1),
    id: ext.cs6,
    at: new Date(Number(ext.rt)).toISOString(),
    actor: ext.suser,
    type: ext.act,
    requestId: ext.cs3 === '' ? null : ext.cs3,
    target: ext.cs4 === '' ? null : ext.cs4,
    data: JSON.parse(ext.cs5) as Record<string, unknown>,
    prevHash: ext.cs2,
    hash: ext.cs1,
  };
}

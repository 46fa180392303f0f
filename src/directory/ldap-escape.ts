// Escaping of values placed in LDAP filters (RFC 4515) and distinguished names (RFC 4514).
// Every value that comes from a caller goes through one of these: `SERVER*` or `x)(cn=*` stay names.

/** RFC 4515 §3: `*`, `(`, `)`, `\` and NUL as \XX; non-ASCII kept as UTF-8 bytes, escaped too. */
export function escapeFilterValue(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += byte < 0x20 || byte > 0x7e || '*()\\'.includes(ch) ? `\\${byte.toString(16).padStart(2, '0')}` : ch;
  }
  return out;
}

/** Binary values (objectSid, objectGUID) in a filter: every byte as \XX. */
export function escapeFilterBytes(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => `\\${b.toString(16).padStart(2, '0')}`).join('');
}

/** RFC 4514 §2.4: escapes one attribute value for use inside a DN. */
export function escapeDnValue(value: string): string {
  let out = value.replace(/[\\,+"<>;=\0]/g, (c) => (c === '\0' ? '\\00' : `\\${c}`));
  if (out.startsWith(' ') || out.startsWith('#')) out = `\\${out}`;
  if (out.endsWith(' ') && !out.endsWith('\\ ')) out = `${out.slice(0, -1)}\\ `;
  return out;
}

/** `(attr=value)` with the value escaped. */
export function eq(attribute: string, value: string): string {
  return `(${attribute}=${escapeFilterValue(value)})`;
}

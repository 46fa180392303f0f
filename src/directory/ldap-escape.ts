import { EqualityFilter } from 'ldapts';

// Escaping of values placed in LDAP filters (RFC 4515) and distinguished names (RFC 4514).
// Every value that comes from a caller goes through one of these: `SERVER*` or `x)(cn=*` stay names.

/**
 * RFC 4515 §3: `*`, `(`, `)`, `\` and control characters (NUL included) as \XX. Non-ASCII
 * characters stay as they are: ldapts turns an escape back into one UTF-16 code unit, so escaping
 * UTF-8 bytes would corrupt them. Binary values never go through a string filter: see binaryEquals.
 */
export function escapeFilterValue(value: string): string {
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0) as number;
    out += code < 0x20 || code === 0x7f || '*()\\'.includes(ch) ? `\\${code.toString(16).padStart(2, '0')}` : ch;
  }
  return out;
}

/** An equality filter on a binary attribute (objectSid, objectGUID): the bytes go on the wire as they are. */
export function binaryEquals(attribute: string, bytes: Buffer): EqualityFilter {
  return new EqualityFilter({ attribute, value: bytes });
}

/** Binary values (objectSid, objectGUID) in a filter: every byte as \XX. */
export function escapeFilterBytes(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => `\\${b.toString(16).padStart(2, '0')}`).join('');
}

/** RFC 4514 §2.4: escapes one attribute value for use inside a DN. */
export function escapeDnValue(value: string): string {
  const chars = [...value];
  return chars
    .map((c, i) => {
      if (c === '\0') return '\\00';
      if ('\\,+"<>;='.includes(c)) return `\\${c}`;
      // Decided on the value, not on the escaped text: `a\ ` must end in an escaped space too.
      if ((i === 0 && (c === ' ' || c === '#')) || (i === chars.length - 1 && c === ' ')) return `\\${c}`;
      return c;
    })
    .join('');
}

/** `(attr=value)` with the value escaped. */
export function eq(attribute: string, value: string): string {
  return `(${attribute}=${escapeFilterValue(value)})`;
}

import { canonicalSid, isSidString } from '../security-descriptor';

/** What kind of identifier a caller gave, parsed but not yet looked up. */
export type ParsedIdentifier =
  | { kind: 'sid'; sid: string }
  | { kind: 'guid'; guid: string }
  | { kind: 'dn'; dn: string }
  | { kind: 'upn'; upn: string; domainHint: string }
  | { kind: 'netbios'; netbios: string; samAccountName: string }
  | { kind: 'dnsHostName'; dnsHostName: string }
  | { kind: 'samAccountName'; samAccountName: string };

const GUID = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i;
const DN = /^(CN|OU|DC)=.+,(DC|OU|CN)=/i;

/**
 * Classifies the identifier forms the API accepts: `SERVERC`, `SERVERC$`, `CONTOSO\SERVERC$`, a UPN,
 * a DNS host name, a DN, a SID (`S-1-5-21-...`) or an objectGUID. Returns undefined for empty input.
 */
export function parseIdentifier(raw: string): ParsedIdentifier | undefined {
  const text = raw.trim();
  if (!text || text.length > 1024) return undefined;
  if (isSidString(text)) return { kind: 'sid', sid: canonicalSid(text) };
  const guid = GUID.exec(text);
  if (guid) return { kind: 'guid', guid: guid[1].toLowerCase() };
  if (DN.test(text)) return { kind: 'dn', dn: text };
  const backslash = text.indexOf('\\');
  if (backslash > 0 && backslash < text.length - 1) {
    return {
      kind: 'netbios',
      netbios: text.slice(0, backslash).toUpperCase(),
      samAccountName: text.slice(backslash + 1),
    };
  }
  const at = text.lastIndexOf('@');
  if (at > 0 && at < text.length - 1) return { kind: 'upn', upn: text, domainHint: text.slice(at + 1).toLowerCase() };
  if (text.includes('.') && !text.endsWith('$')) return { kind: 'dnsHostName', dnsHostName: text.toLowerCase() };
  return { kind: 'samAccountName', samAccountName: text };
}

/** The GUID string form (RFC 4122, as AD shows it) to the bytes objectGUID stores (mixed-endian). */
export function guidToBytes(guid: string): Buffer {
  const hex = guid.replace(/[{}-]/g, '');
  const b = Buffer.from(hex, 'hex');
  return Buffer.concat([
    Buffer.from(b.subarray(0, 4)).reverse(),
    Buffer.from(b.subarray(4, 6)).reverse(),
    Buffer.from(b.subarray(6, 8)).reverse(),
    b.subarray(8),
  ]);
}

export function guidFromBytes(bytes: Uint8Array): string {
  const b = Buffer.from(bytes);
  if (b.length !== 16) return b.toString('hex');
  const part = (buf: Buffer) => buf.toString('hex');
  return [
    part(Buffer.from(b.subarray(0, 4)).reverse()),
    part(Buffer.from(b.subarray(4, 6)).reverse()),
    part(Buffer.from(b.subarray(6, 8)).reverse()),
    part(b.subarray(8, 10)),
    part(b.subarray(10, 16)),
  ].join('-');
}

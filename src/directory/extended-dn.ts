import { Control } from 'ldapts';
import { isDnUnder, normaliseDn } from './dn';

/**
 * LDAP_SERVER_EXTENDED_DN_OID (1.2.840.113556.1.4.529, [MS-ADTS] 3.1.1.3.4.1.5): DN-valued
 * attributes come back as `<GUID=...>;<SID=S-1-...>;CN=...`. With it a group's `member` values name
 * each member's SID, even a member in a domain no connection of ours reaches. The value
 * SEQUENCE { INTEGER 1 } asks for the string forms (a dashed GUID, an S-1-... SID).
 */
export class ExtendedDnControl extends Control {
  static readonly OID = '1.2.840.113556.1.4.529';

  constructor() {
    super(ExtendedDnControl.OID, { critical: false });
  }

  protected override writeControl(writer: { writeBuffer(buffer: Buffer, tag: number): void }): void {
    writer.writeBuffer(Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01]), 0x04);
  }
}

/** Splits an extended DN into its parts; a plain DN (no control honoured) has no SID. */
export function parseExtendedDn(value: string): { dn: string; sid: string | null; guid: string | null } {
  let rest = value;
  let sid: string | null = null;
  let guid: string | null = null;
  for (let m = /^<(GUID|SID)=([^>]*)>;?/i.exec(rest); m; m = /^<(GUID|SID)=([^>]*)>;?/i.exec(rest)) {
    if (m[1].toUpperCase() === 'SID') sid = /^S-1-/i.test(m[2]) ? m[2].toUpperCase() : null;
    else guid = m[2].toLowerCase();
    rest = rest.slice(m[0].length);
  }
  return { dn: rest, sid, guid };
}

/** The configured domain whose naming context holds `dn` (the longest base DN that ends it), or undefined. */
export function domainOfDn<T extends { name: string; baseDn: string }>(dn: string, domains: T[]): T | undefined {
  let best: T | undefined;
  for (const domain of domains) {
    if (!isDnUnder(dn, domain.baseDn)) continue;
    if (!best || normaliseDn(domain.baseDn).length > normaliseDn(best.baseDn).length) best = domain;
  }
  return best;
}

/**
 * The one comparison form of a distinguished name: lower case, no white space around the commas
 * that separate RDNs, none at either end. AD compares DNs case-insensitively; people write
 * `OU=Servers, DC=contoso, DC=test` in configuration.
 */
export function normaliseDn(dn: string): string {
  return dn
    .toLowerCase()
    .replace(/\s*,\s*/g, ',')
    .trim();
}

/** True when `dn` is `base` or lies below it (compared in the normal form, on an RDN boundary). */
export function isDnUnder(dn: string, base: string): boolean {
  const a = normaliseDn(dn);
  const b = normaliseDn(base);
  return b !== '' && (a === b || a.endsWith(`,${b}`));
}

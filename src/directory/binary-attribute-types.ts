import { Attribute } from 'ldapts';

/**
 * Attribute types whose values ldapts keeps as bytes without trying them as UTF-8 first.
 *
 * ldapts 8 decodes every value of a search entry with a fatal UTF-8 TextDecoder and keeps the raw
 * bytes when that throws; its only way out is a `;binary` option in the attribute's type, which AD
 * does not send back. SIDs, GUIDs and security descriptors are almost never valid UTF-8, so a read
 * of 1,000 targets with their descriptors threw about 4,000 times: 103 ms of CPU against 51 ms with
 * these types known (median of 10 fetches, session 10; `bench:bulk-grant` and the read API pay it
 * on every entry). What callers get is unchanged: `explicitBufferAttributes` already handed them the
 * bytes, and a binary value that happened to be valid UTF-8 is now bytes in `values` too.
 *
 * This overrides ldapts 8's private `Attribute._isBinaryType` (package-lock pins the version);
 * `binary-attribute-types.spec.ts` fails if a new version no longer calls it.
 */
const known = new Set<string>();
/** Each type as the DC spelled it → whether it is binary (a 1,000-entry read asks ~17,000 times). */
const answers = new Map<string, boolean>();
let installed = false;

/** Marks these attribute types (any case, any `;option`) as binary for every ldapts search from now on. */
export function treatAsBinary(types: readonly string[]): void {
  for (const type of types) known.add(baseType(type));
  answers.clear();
  if (installed) return;
  const prototype = Attribute.prototype as unknown as { _isBinaryType?: (this: Attribute) => boolean };
  const original = prototype._isBinaryType;
  if (typeof original !== 'function')
    throw new Error('ldapts no longer has Attribute._isBinaryType: see src/directory/binary-attribute-types.ts');
  prototype._isBinaryType = function isBinaryType(this: Attribute): boolean {
    const type = this.type ?? '';
    let binary = answers.get(type);
    if (binary === undefined) {
      if (answers.size >= 1024) answers.clear(); // attribute types are few; a rogue server's are not
      binary = known.has(baseType(type));
      answers.set(type, binary);
    }
    return binary || original.call(this);
  };
  installed = true;
}

function baseType(type: string | undefined): string {
  return (type ?? '').split(';')[0].toLowerCase();
}

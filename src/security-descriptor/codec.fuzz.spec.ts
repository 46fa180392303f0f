// Fuzzing the decoder: random and mutated inputs may only ever produce a SecurityDescriptorError, and
// whatever decodes must survive encode -> decode unchanged. Seeded, so a failure names its input.
import fc from 'fast-check';
import vectors from '../../test/fixtures/security-descriptors.json';
import { Ace } from './ace';
import { Acl } from './acl';
import { SecurityDescriptorError } from './errors';
import { addPrincipals, listPrincipals, removePrincipals } from './rbcd';
import {
  SecurityDescriptor,
  SecurityDescriptorPart,
  decodeSecurityDescriptor,
  encodeSecurityDescriptor,
} from './security-descriptor';
import { toSddl } from './sddl';

const SEED = Number(process.env.SD_FUZZ_SEED ?? 0x5eed_2182);
const ITERATIONS = Number(process.env.SD_FUZZ_ITERATIONS ?? 100_000);

/** mulberry32: small, fast, good enough to reproduce a mutation from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hexOf = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');

/** A canonical text form of an ACE list (fixed field order, byte arrays as hex). */
function acesKey(aces: readonly Ace[]): string {
  let key = '';
  for (const ace of aces) {
    if (ace.kind === 'raw') key += `[raw ${ace.type} ${ace.flags} ${hexOf(ace.body)}]`;
    else if (ace.kind === 'access')
      key += `[access ${ace.type} ${ace.flags} ${ace.mask} ${ace.sid} ${hexOf(ace.trailing)}]`;
    else
      key += `[object ${ace.type} ${ace.flags} ${ace.mask} ${ace.objectFlags} ${ace.objectType} ${ace.inheritedObjectType} ${ace.sid} ${hexOf(ace.trailing)}]`;
  }
  return key;
}

const aclKey = (acl: Acl | null) =>
  acl === null ? 'null' : `{${acl.revision} ${acl.sbz1} ${acl.sbz2} ${hexOf(acl.freeSpace)} ${acesKey(acl.aces)}}`;

/** A canonical text form of a model: equality cheap enough for 100k runs, independent of key order. */
function modelKey(sd: SecurityDescriptor): string {
  return `${sd.revision} ${sd.sbz1} ${sd.control} ${sd.owner} ${sd.group} ${sd.layout.join(',')} S${aclKey(sd.sacl)} D${aclKey(sd.dacl)}`;
}

const seeds = [
  ...vectors.valid.map((v) => Buffer.from(v.base64, 'base64')),
  ...vectors.invalid.map((v) => Buffer.from(v.base64, 'base64')),
];
const validSeeds = vectors.valid.map((v) => Buffer.from(v.base64, 'base64'));

function mutate(random: () => number): Buffer {
  const int = (n: number) => Math.floor(random() * n);
  const kind = int(10);
  if (kind === 0) {
    // Pure noise of random length.
    const out = Buffer.alloc(int(160));
    for (let i = 0; i < out.length; i++) out[i] = int(256);
    return out;
  }
  if (kind === 1) {
    // A plausible header (revision 1, self-relative) with random offsets into random bytes.
    const out = Buffer.alloc(20 + int(140));
    for (let i = 20; i < out.length; i++) out[i] = random() < 0.5 ? int(256) : int(5);
    out[0] = 1;
    out.writeUInt16LE(0x8000 | int(0x8000), 2);
    for (const at of [4, 8, 12, 16]) out.writeUInt32LE(random() < 0.3 ? 0 : int(out.length + 4), at);
    return out;
  }
  const pool = random() < 0.9 ? validSeeds : seeds;
  let out = Buffer.from(pool[int(pool.length)]);
  const rounds = 1 + int(3);
  for (let r = 0; r < rounds; r++) {
    const op = int(8);
    if (out.length === 0) out = Buffer.from([1]);
    const at = int(out.length);
    switch (op) {
      case 0: // bit flip
        out[at] ^= 1 << int(8);
        break;
      case 1: // random byte
        out[at] = int(256);
        break;
      case 2: // truncate
        out = out.subarray(0, int(out.length + 1));
        break;
      case 3: // append noise
        out = Buffer.concat([out, Buffer.from(Array.from({ length: 1 + int(24) }, () => int(256)))]);
        break;
      case 4: // a header offset pointing somewhere nearby
        if (out.length >= 20) out.writeUInt32LE(random() < 0.2 ? 0 : int(out.length + 8), 4 + 4 * int(4));
        break;
      case 5: // a 16-bit field (AclSize, AceCount, AceSize...) set to a small or extreme value
        if (at + 2 <= out.length) out.writeUInt16LE(random() < 0.5 ? int(out.length + 8) : int(0x10000), at);
        break;
      case 6: // small count-like byte (SubAuthorityCount, AceType, revisions)
        out[at] = int(20);
        break;
      case 7: {
        // splice a slice from another vector
        const other = validSeeds[int(validSeeds.length)];
        const from = int(other.length);
        out = Buffer.concat([out.subarray(0, at), other.subarray(from, from + 1 + int(40)), out.subarray(at + int(8))]);
        break;
      }
    }
  }
  return out;
}

describe('codec fuzz', () => {
  it(`${ITERATIONS} random and mutated inputs: only SecurityDescriptorError, and decode∘encode is stable (seed ${SEED})`, () => {
    const random = prng(SEED);
    let decoded = 0;
    let rejected = 0;
    for (let i = 0; i < ITERATIONS; i++) {
      const input = mutate(random);
      let model: SecurityDescriptor;
      try {
        model = decodeSecurityDescriptor(input);
      } catch (error) {
        if (
          !(error instanceof SecurityDescriptorError) ||
          error.code !== 'INVALID_SECURITY_DESCRIPTOR' ||
          !(error.offset >= 0 && error.offset <= input.length + 4)
        ) {
          throw new Error(`iteration ${i}, input ${input.toString('hex')}: unexpected ${String(error)}`);
        }
        rejected++;
        continue;
      }
      decoded++;
      try {
        const encoded = encodeSecurityDescriptor(model);
        const again = decodeSecurityDescriptor(encoded);
        if (modelKey(again) !== modelKey(model)) throw new Error('model changed after encode -> decode');
        if (!encodeSecurityDescriptor(again).equals(encoded)) throw new Error('encoding is not stable');
        if (encoded.length > input.length + 4 * 65) throw new Error('encoding grew beyond padding of the input');
        toSddl(model);
        listPrincipals(model);
      } catch (error) {
        throw new Error(`iteration ${i}, input ${input.toString('hex')}: ${String(error)}`);
      }
    }
    // The mutations must reach past the header checks often enough to mean something.
    expect(decoded).toBeGreaterThan(ITERATIONS * 0.1);
    expect(rejected).toBeGreaterThan(ITERATIONS * 0.1);
    expect(decoded + rejected).toBe(ITERATIONS);
  });
});

// ---- generated models: every well-formed model encodes, decodes back to itself, and RBCD edits keep the rest ----

const sidArb = fc
  .tuple(
    fc.oneof(fc.integer({ min: 0, max: 0xffff_ffff }), fc.integer({ min: 0, max: 2 ** 48 - 1 })),
    fc.array(fc.integer({ min: 0, max: 0xffff_ffff }), { maxLength: 15 }),
  )
  .map(([authority, subs]) =>
    [
      'S-1-' + (authority < 2 ** 32 ? String(authority) : '0x' + authority.toString(16).padStart(12, '0')),
      ...subs,
    ].join('-'),
  );
const guidArb = fc.uuid();
const bytes4Arb = (max: number) =>
  fc.integer({ min: 0, max }).chain((n) => fc.uint8Array({ minLength: 4 * n, maxLength: 4 * n }));
const u32Arb = fc.integer({ min: 0, max: 0xffff_ffff });
const aceArb: fc.Arbitrary<Ace> = fc.oneof(
  fc.record({
    kind: fc.constant('access' as const),
    type: fc.constantFrom(0 as const, 1 as const),
    flags: fc.integer({ min: 0, max: 255 }),
    mask: u32Arb,
    sid: sidArb,
    trailing: bytes4Arb(3),
  }),
  fc
    .record({
      kind: fc.constant('object' as const),
      type: fc.constantFrom(5 as const, 6 as const),
      flags: fc.integer({ min: 0, max: 255 }),
      mask: u32Arb,
      extraFlags: fc.integer({ min: 0, max: 0x3fff_ffff }),
      objectType: fc.option(guidArb, { nil: undefined }),
      inheritedObjectType: fc.option(guidArb, { nil: undefined }),
      sid: sidArb,
      trailing: bytes4Arb(2),
    })
    .map(({ extraFlags, objectType, inheritedObjectType, ...rest }) => ({
      ...rest,
      objectFlags: ((extraFlags << 2) | (objectType ? 1 : 0) | (inheritedObjectType ? 2 : 0)) >>> 0,
      ...(objectType !== undefined && { objectType }),
      ...(inheritedObjectType !== undefined && { inheritedObjectType }),
    })),
  fc.record({
    kind: fc.constant('raw' as const),
    type: fc.integer({ min: 0, max: 255 }).filter((t) => ![0, 1, 5, 6].includes(t)),
    flags: fc.integer({ min: 0, max: 255 }),
    body: bytes4Arb(10),
  }),
);
const aclArb: fc.Arbitrary<Acl> = fc.record({
  revision: fc.integer({ min: 2, max: 4 }),
  sbz1: fc.integer({ min: 0, max: 255 }),
  sbz2: fc.integer({ min: 0, max: 0xffff }),
  aces: fc.array(aceArb, { maxLength: 8 }),
  freeSpace: bytes4Arb(2),
});
const sdArb: fc.Arbitrary<SecurityDescriptor> = fc
  .record({
    sbz1: fc.integer({ min: 0, max: 255 }),
    control: fc.integer({ min: 0, max: 0x7fff }),
    owner: fc.option(sidArb, { nil: null }),
    group: fc.option(sidArb, { nil: null }),
    sacl: fc.option(aclArb, { nil: null }),
    dacl: fc.option(aclArb, { nil: null }),
    order: fc.shuffledSubarray(['owner', 'group', 'sacl', 'dacl'] as SecurityDescriptorPart[], {
      minLength: 4,
      maxLength: 4,
    }),
  })
  .map(({ order, control, ...parts }) => ({
    revision: 1,
    control: control | 0x8000,
    ...parts,
    layout: order.filter((part) => parts[part] !== null),
  }));

describe('codec properties (fast-check, seeded)', () => {
  it('decode(encode(model)) equals the model', () => {
    fc.assert(
      fc.property(sdArb, (sd) => {
        expect(modelKey(decodeSecurityDescriptor(encodeSecurityDescriptor(sd)))).toBe(modelKey(sd));
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });

  it('add then remove of a new principal gives back the same DACL ACEs; other parts keep their bytes', () => {
    const principal = 'S-1-5-21-1-2-3-987654';
    fc.assert(
      fc.property(sdArb, (sd) => {
        fc.pre(!(sd.dacl?.aces ?? []).some((ace) => ace.kind !== 'raw' && ace.sid === principal));
        const { descriptor: added } = addPrincipals(sd, [principal]);
        expect(listPrincipals(added).principals.filter((p) => p.sid === principal && p.effective)).toHaveLength(1);
        expect(addPrincipals(added, [principal]).added).toEqual([]);
        const { descriptor: removed } = removePrincipals(added, [principal]);
        expect(modelKey({ ...removed, dacl: null, control: 0, layout: [] })).toBe(
          modelKey({ ...sd, dacl: null, control: 0, layout: [] }),
        );
        expect(acesKey(removed.dacl!.aces)).toBe(acesKey(sd.dacl?.aces ?? []));
      }),
      { seed: SEED, numRuns: 500 },
    );
  });
});

import fc from 'fast-check';
import { AndFilter, EqualityFilter, FilterParser } from 'ldapts';
import { binaryEquals, eq, escapeDnValue, escapeFilterBytes, escapeFilterValue } from './ldap-escape';

/** RFC 4514 §3 value unescaping, independent of the code under test (`\XX` and `\<special>`). */
function unescapeDnValue(text: string): string {
  const chars = Array.from(text);
  const bytes: number[] = [];
  for (let i = 0; i < chars.length; i++) {
    if (chars[i] !== '\\') {
      bytes.push(...Buffer.from(chars[i], 'utf8'));
      continue;
    }
    const hex = /^[0-9a-f]{2}/i.exec(chars.slice(i + 1, i + 3).join(''));
    if (hex) {
      bytes.push(parseInt(hex[0], 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(chars[i + 1], 'utf8'));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

describe('escapeFilterValue (RFC 4515)', () => {
  it.each([
    ['SERVER*', 'SERVER\\2a'],
    ['x)(cn=*', 'x\\29\\28cn=\\2a'],
    ['*', '\\2a'],
    ['SERVERC)(|(cn=*', 'SERVERC\\29\\28|\\28cn=\\2a'],
    ['back\\slash', 'back\\5cslash'],
    ['nul\0', 'nul\\00'],
    ['tab\there', 'tab\\09here'],
    ['del\x7f', 'del\\7f'],
    ['SERVERC$', 'SERVERC$'],
    ['café', 'café'],
  ])('%j becomes %j', (value, escaped) => {
    expect(escapeFilterValue(value)).toBe(escaped);
  });

  it('any string stays one literal equality value (parsed back by ldapts unchanged)', () => {
    fc.assert(
      fc.property(fc.fullUnicodeString({ minLength: 1, maxLength: 40 }), (value) => {
        const parsed = FilterParser.parseString(eq('sAMAccountName', value));
        expect(parsed).toBeInstanceOf(EqualityFilter);
        expect((parsed as EqualityFilter).attribute).toBe('sAMAccountName');
        expect((parsed as EqualityFilter).value).toBe(value);
      }),
      { numRuns: 500 },
    );
  });

  it('an injection attempt inside a larger filter does not add a clause', () => {
    const parsed = FilterParser.parseString(`(&(objectSid=*)${eq('cn', 'x)(cn=*')})`) as AndFilter;
    expect(parsed).toBeInstanceOf(AndFilter);
    expect(parsed.filters).toHaveLength(2);
    expect((parsed.filters[1] as EqualityFilter).value).toBe('x)(cn=*');
  });
});

describe('binary values', () => {
  const sid = Buffer.from('010500000000000515000000d1267dc9a0512a4ac52cf1854e040000', 'hex');

  it('escapeFilterBytes writes every byte as \\XX', () => {
    expect(escapeFilterBytes(Buffer.from([0x00, 0x2a, 0xff]))).toBe('\\00\\2a\\ff');
  });

  it('binaryEquals keeps the bytes as they are (high bytes included) on the wire', () => {
    const filter = binaryEquals('objectSid', sid);
    expect(filter.value).toEqual(sid);
    expect(filter.toString()).toBe(`(objectSid=${escapeFilterBytes(sid)})`);
  });
});

describe('escapeDnValue (RFC 4514)', () => {
  it.each([
    ['SERVERC', 'SERVERC'],
    ['Smith, John', 'Smith\\, John'],
    ['a+b=c', 'a\\+b\\=c'],
    ['<"quoted";>', '\\<\\"quoted\\"\\;\\>'],
    ['back\\slash', 'back\\\\slash'],
    [' leading', '\\ leading'],
    ['#hash', '\\#hash'],
    ['mid#hash', 'mid#hash'],
    ['trailing ', 'trailing\\ '],
    [' ', '\\ '],
    ['  ', '\\ \\ '],
    ['a\\ ', 'a\\\\\\ '],
    ['nul\0', 'nul\\00'],
  ])('%j becomes %j', (value, escaped) => {
    expect(escapeDnValue(value)).toBe(escaped);
  });

  it('any value reads back unchanged and cannot end the RDN early', () => {
    fc.assert(
      fc.property(fc.fullUnicodeString({ minLength: 1, maxLength: 40 }), (value) => {
        const escaped = escapeDnValue(value);
        expect(unescapeDnValue(escaped)).toBe(value);
        // No unescaped separator, and no unescaped space at either end (a DN parser would drop it).
        expect(escaped.replace(/\\./gs, '')).not.toMatch(/[,+;"<>=\\\0]/);
        expect(escaped.startsWith(' ')).toBe(false);
        expect(/(^|[^\\])(\\\\)* $/.test(escaped)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});

import { InvalidSidError } from './errors';
import { canonicalSid, formatSid, isSidString, parseSid, sidFromBytes, sidToBytes } from './sid';

describe('SID ([MS-DTYP] 2.4.2)', () => {
  describe('parseSid / formatSid', () => {
    it.each([
      'S-1-5-32-544',
      'S-1-5-18',
      'S-1-1-0',
      'S-1-5',
      'S-1-0',
      'S-1-5-21-3380422353-1244287392-2247175365-1102',
      'S-1-5-21-4294967295-0-1-2-3-4-5-6-7-8-9-10-11-12',
      'S-1-4294967295-1',
      'S-1-0x000100000000-1',
      'S-1-0xffffffffffff',
    ])('round-trips %s', (text) => {
      expect(formatSid(parseSid(text))).toBe(text);
      expect(isSidString(text)).toBe(true);
    });

    it('parses the parts', () => {
      expect(parseSid('S-1-5-21-1-2-3-500')).toEqual({
        revision: 1,
        identifierAuthority: 5,
        subAuthorities: [21, 1, 2, 3, 500],
      });
    });

    it('prints an authority below 2^32 in decimal and a larger one as 0x plus 12 hex digits', () => {
      expect(canonicalSid('S-1-0x000000000005-32-544')).toBe('S-1-5-32-544');
      expect(formatSid({ revision: 1, identifierAuthority: 2 ** 32, subAuthorities: [7] })).toBe(
        'S-1-0x000100000000-7',
      );
      expect(formatSid({ revision: 1, identifierAuthority: 0xabcdef012345, subAuthorities: [] })).toBe(
        'S-1-0xabcdef012345',
      );
    });

    it('accepts letters in any case and returns the canonical form', () => {
      expect(canonicalSid('s-1-5-18')).toBe('S-1-5-18');
      expect(canonicalSid('S-1-0XABCDEF012345-1')).toBe('S-1-0xabcdef012345-1');
    });

    it.each([
      ['', 'empty'],
      ['S-1', 'no authority'],
      ['S-1-', 'empty authority'],
      ['S-2-5-18', 'revision 2'],
      ['S-1-5-', 'trailing dash'],
      ['S-1-5--18', 'empty sub-authority'],
      ['S-1-5-18 ', 'trailing space'],
      [' S-1-5-18', 'leading space'],
      ['S-1-5-+18', 'sign'],
      ['S-1-5--1', 'negative'],
      ['S-1-5-018', 'leading zero'],
      ['S-1-05-18', 'leading zero in authority'],
      ['S-1-5-4294967296', 'sub-authority 2^32'],
      ['S-1-4294967296-1', 'decimal authority 2^32'],
      ['S-1-5-1.5', 'fraction'],
      ['S-1-5-1e3', 'exponent'],
      ['S-1-0x5-1', 'short hex authority'],
      ['S-1-0x0000000000000-1', '13 hex digits'],
      ['S-1-0x00000000000g-1', 'bad hex digit'],
      ['S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15-16', '16 sub-authorities'],
      ['X-1-5-18', 'wrong prefix'],
      ['S-1-5-18\n', 'newline'],
    ])('rejects %j (%s)', (text) => {
      expect(isSidString(text)).toBe(false);
      expect(() => parseSid(text)).toThrow(InvalidSidError);
    });

    it('rejects non-strings without throwing a TypeError', () => {
      expect(isSidString(undefined as unknown as string)).toBe(false);
      expect(() => parseSid(42 as unknown as string)).toThrow(InvalidSidError);
    });

    it('refuses to format an out-of-range model', () => {
      expect(() => formatSid({ revision: 1, identifierAuthority: 2 ** 48, subAuthorities: [] })).toThrow(
        InvalidSidError,
      );
      expect(() => formatSid({ revision: 1, identifierAuthority: 5, subAuthorities: [2 ** 32] })).toThrow(
        InvalidSidError,
      );
      expect(() => formatSid({ revision: 1, identifierAuthority: 5, subAuthorities: new Array(16).fill(1) })).toThrow(
        InvalidSidError,
      );
    });

    it('carries the VALIDATION_FAILED code of the API contract', () => {
      expect(() => parseSid('nope')).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED', input: 'nope' }));
    });
  });

  describe('sidToBytes / sidFromBytes (objectSid)', () => {
    it('encodes BUILTIN\\Administrators as in the samba-tool vector', () => {
      expect(sidToBytes('S-1-5-32-544').toString('hex')).toBe('01020000000000052000000020020000');
    });

    it('encodes the authority big-endian and sub-authorities little-endian', () => {
      expect(sidToBytes('S-1-0x010203040506-4294967295').toString('hex')).toBe('0101010203040506ffffffff');
    });

    it.each(['S-1-5', 'S-1-5-21-3380422353-1244287392-2247175365-1102', 'S-1-0xffffffffffff-0-4294967295'])(
      'round-trips %s',
      (sid) => {
        expect(sidFromBytes(sidToBytes(sid))).toBe(sid);
      },
    );

    it.each([
      ['', 'empty'],
      ['0102000000000005200000', 'truncated'],
      ['02010000000000051200000000', 'revision 2'],
      ['011000000000000500000000', '16 sub-authorities'],
      ['010100000000000512000000ff', 'a trailing byte'],
    ])('rejects %s (%s)', (hex) => {
      expect(() => sidFromBytes(Buffer.from(hex, 'hex'))).toThrow(InvalidSidError);
    });

    it('accepts a plain Uint8Array', () => {
      expect(sidFromBytes(new Uint8Array(sidToBytes('S-1-5-18')))).toBe('S-1-5-18');
    });
  });
});

import { TextDecoder } from 'node:util';
import { Attribute, BerReader, BerWriter } from 'ldapts';
import { treatAsBinary } from './binary-attribute-types';

/** An attribute as ldapts parses it off the wire. */
function parsed(type: string, values: (Buffer | string)[]): Attribute {
  const writer = new BerWriter();
  new Attribute({ type, values: values as Buffer[] }).write(writer);
  const attribute = new Attribute();
  attribute.parse(new BerReader(writer.buffer));
  return attribute;
}

describe('treatAsBinary (ldapts keeps these values as bytes, with no UTF-8 attempt)', () => {
  const sid = Buffer.from('010500000000000515000000a1b2c3d4e5f60718293a4b5c51040000', 'hex'); // not UTF-8
  const asciiGuid = Buffer.from('ABCDEFGHIJKLMNOP'); // 16 bytes that happen to be valid UTF-8

  beforeAll(() => treatAsBinary(['objectSid', 'objectGUID']));
  afterEach(() => jest.restoreAllMocks());

  it('a known binary type is bytes, and the UTF-8 decoder never sees it', () => {
    const decode = jest.spyOn(TextDecoder.prototype, 'decode');
    const attribute = parsed('objectSid', [sid]);
    expect(attribute.values).toEqual([sid]);
    expect(attribute.parsedBuffers).toEqual([sid]);
    expect(decode).not.toHaveBeenCalled();
  });

  it('whatever case or option the DC spells it with; even bytes that are valid UTF-8 stay bytes', () => {
    expect(parsed('OBJECTGUID', [asciiGuid]).values).toEqual([asciiGuid]);
    expect(parsed('objectSid;binary', [sid]).values).toEqual([sid]);
  });

  it('positive control: any other type is still decoded as text by ldapts', () => {
    const decode = jest.spyOn(TextDecoder.prototype, 'decode');
    expect(parsed('sAMAccountName', ['SERVERC$']).values).toEqual(['SERVERC$']);
    expect(decode).toHaveBeenCalledTimes(1);
    // ... and bytes that are not UTF-8 in an unknown type still come back as bytes, as before.
    expect(parsed('someBlob', [sid]).values).toEqual([sid]);
  });

  it('adding types again is harmless (one override, the set grows)', () => {
    treatAsBinary(['objectSid']);
    treatAsBinary(['tokenGroups']);
    const token = Buffer.from('0105000000000005150000000102030405060708090a0b0c01020000', 'hex');
    expect(parsed('tokenGroups', [token]).values).toEqual([token]);
    expect(parsed('objectSid', [sid]).values).toEqual([sid]);
  });

  it('a type marked binary after it was first seen is binary from then on (no stale answer kept)', () => {
    const blob = Buffer.from('ABCD'); // valid UTF-8: text while the type is unknown
    expect(parsed('msDS-LaterBinary', [blob]).values).toEqual(['ABCD']);
    treatAsBinary(['msDS-LaterBinary']);
    expect(parsed('msDS-LaterBinary', [blob]).values).toEqual([blob]);
  });
});

import { SdFlagsControl } from './sd-flags-control';

describe('SdFlagsControl', () => {
  it('encodes SEQUENCE { INTEGER 7 } as the value of OID 1.2.840.113556.1.4.801', () => {
    expect(SdFlagsControl.value(7).toString('hex')).toBe('3003020107');
    const control = new SdFlagsControl();
    expect(control.type).toBe('1.2.840.113556.1.4.801');
    const written: Buffer[] = [];
    (control as unknown as { writeControl(w: { writeBuffer(b: Buffer, t: number): void }): void }).writeControl({
      writeBuffer: (b, t) => written.push(Buffer.concat([Buffer.from([t]), b])),
    });
    expect(written[0].toString('hex')).toBe('043003020107');
  });

  it('refuses flags it cannot encode in one byte', () => {
    expect(() => SdFlagsControl.value(0x80)).toThrow(RangeError);
  });
});

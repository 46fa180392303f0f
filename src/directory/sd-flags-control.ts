import { Control } from 'ldapts';

/** OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION: no SACL. */
export const SD_FLAGS_OWNER_GROUP_DACL = 7;

/**
 * LDAP_SERVER_SD_FLAGS_OID (1.2.840.113556.1.4.801, [MS-ADTS] 3.1.1.3.4.1.11): which parts of
 * nTSecurityDescriptor to return. Without it AD also tries to return the SACL, which needs
 * SeSecurityPrivilege; with 7 any account that may read the object's permissions gets owner, group
 * and DACL. The value is BER SEQUENCE { INTEGER flags }.
 */
export class SdFlagsControl extends Control {
  static readonly OID = '1.2.840.113556.1.4.801';

  constructor(private readonly flags = SD_FLAGS_OWNER_GROUP_DACL) {
    super(SdFlagsControl.OID, { critical: true });
  }

  /** The BER value: 30 03 02 01 <flags> for flags below 0x80. */
  static value(flags: number): Buffer {
    if (!Number.isInteger(flags) || flags < 0 || flags > 0x7f) throw new RangeError(`SD flags ${flags} out of range`);
    return Buffer.from([0x30, 0x03, 0x02, 0x01, flags]);
  }

  protected override writeControl(writer: { writeBuffer(buffer: Buffer, tag: number): void }): void {
    writer.writeBuffer(SdFlagsControl.value(this.flags), 0x04); // controlValue OCTET STRING
  }
}

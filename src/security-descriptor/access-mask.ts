// ACCESS_MASK, [MS-DTYP] 2.4.3, with the directory-service specific rights of [MS-ADTS] 5.1.3.2.
// For RBCD the KDC checks the control-access right (0x100) against the DACL of
// msDS-AllowedToActOnBehalfOfOtherIdentity; it does not map generic rights, so an ACE granting only
// GENERIC_ALL is stored without complaint and then ignored.

export const ADS_RIGHT_DS_CREATE_CHILD = 0x0000_0001;
export const ADS_RIGHT_DS_DELETE_CHILD = 0x0000_0002;
export const ADS_RIGHT_ACTRL_DS_LIST = 0x0000_0004;
export const ADS_RIGHT_DS_SELF = 0x0000_0008;
export const ADS_RIGHT_DS_READ_PROP = 0x0000_0010;
export const ADS_RIGHT_DS_WRITE_PROP = 0x0000_0020;
export const ADS_RIGHT_DS_DELETE_TREE = 0x0000_0040;
export const ADS_RIGHT_DS_LIST_OBJECT = 0x0000_0080;
export const ADS_RIGHT_DS_CONTROL_ACCESS = 0x0000_0100;

export const DELETE = 0x0001_0000;
export const READ_CONTROL = 0x0002_0000;
export const WRITE_DAC = 0x0004_0000;
export const WRITE_OWNER = 0x0008_0000;
export const SYNCHRONIZE = 0x0010_0000;
export const ACCESS_SYSTEM_SECURITY = 0x0100_0000;
export const MAXIMUM_ALLOWED = 0x0200_0000;

export const GENERIC_ALL = 0x1000_0000;
export const GENERIC_EXECUTE = 0x2000_0000;
export const GENERIC_WRITE = 0x4000_0000;
export const GENERIC_READ = 0x8000_0000;

/** What samba-tool, impacket and Set-ADComputer write: the standard rights plus every DS right. */
export const RBCD_ACCESS_MASK = 0x000f_01ff;

export function formatAccessMask(mask: number): string {
  return '0x' + (mask >>> 0).toString(16);
}

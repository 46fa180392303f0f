import { Injectable } from '@nestjs/common';
import { DirectoryPort } from '../directory/directory.port';
import { type DirectoryObject, toAccountRef } from '../directory/directory.types';
import { IMPLICIT_TOKEN_SIDS, WELL_KNOWN_SIDS } from '../directory/well-known-sids';
import {
  decodeSecurityDescriptor,
  listPrincipals,
  SecurityDescriptorError,
  toSddl,
  type SecurityDescriptor,
} from '../security-descriptor';
import type { DelegationPrincipal, DelegationView, Warning } from './delegation.types';

export interface DecodedRbcd {
  descriptor: SecurityDescriptor | null;
  warnings: Warning[];
}

/** SDDL of a stored value, or null when it is absent or does not decode (for audit records). */
export function storedSddl(raw: Buffer | null | undefined): string | null {
  const { descriptor } = decodeStored(raw);
  return descriptor ? toSddl(descriptor) : null;
}

/** Decodes a stored value; an undecodable one is reported (never thrown at a reader). */
export function decodeStored(raw: Buffer | null | undefined): DecodedRbcd {
  if (!raw) return { descriptor: null, warnings: [] };
  try {
    return { descriptor: decodeSecurityDescriptor(raw), warnings: [] };
  } catch (error) {
    if (!(error instanceof SecurityDescriptorError)) throw error;
    return {
      descriptor: null,
      warnings: [
        {
          code: 'INVALID_SECURITY_DESCRIPTOR',
          message: `The stored value does not decode: ${error.message}. A grant will not overwrite it; clear it deliberately.`,
        },
      ],
    };
  }
}

/** Turns stored RBCD bytes into the API view: principals by name, SDDL, raw bytes, warnings. */
@Injectable()
export class DelegationReader {
  constructor(private readonly directory: DirectoryPort) {}

  async view(target: DirectoryObject): Promise<DelegationView> {
    const raw = target.rbcd === undefined ? await this.directory.readRbcd(target) : target.rbcd;
    const { decoded, listed, sddl, base64 } = readValue(raw);
    const base = { target: toAccountRef(target), raw: base64 };
    if (!decoded.descriptor || !listed || sddl === null)
      return { ...base, principals: [], sddl: null, warnings: [...decoded.warnings] };
    const names = await this.directory.resolveSids(listed.principals.map((p) => p.sid));
    const warnings: Warning[] = [...listed.warnings];
    const principals: DelegationPrincipal[] = listed.principals.map((p) => {
      const object = names.get(p.sid.toUpperCase()) ?? null;
      const wellKnown = WELL_KNOWN_SIDS[p.sid];
      if (!object && !wellKnown) {
        warnings.push({
          code: 'UNRESOLVED_SID',
          message: `${p.sid} does not resolve in any configured domain (deleted account or foreign forest)`,
          sid: p.sid,
        });
      }
      return {
        sid: p.sid,
        samAccountName: object?.samAccountName ?? wellKnown ?? null,
        dn: object?.dn ?? null,
        domain: object?.domain ?? null,
        resolved: Boolean(object || wellKnown),
        accessMask: p.accessMask,
        aceType: String(p.aceType),
        effective: p.effective,
      };
    });
    return { ...base, principals, sddl, warnings };
  }
}

/** What a stored value says, before naming: decoded, its principals listed, SDDL, base64. */
interface ReadValue {
  decoded: DecodedRbcd;
  listed: ReturnType<typeof listPrincipals> | null;
  sddl: string | null;
  base64: string | null;
}

/**
 * By the very Buffer: a look-up answer kept by the directory hands every reader the same value
 * Buffer (never written to), so a read of an unchanged target decodes nothing. Callers copy what
 * they return (the warnings array); nothing here is changed after it is built.
 */
const valuesRead = new WeakMap<Buffer, ReadValue>();

function readValue(raw: Buffer | null | undefined): ReadValue {
  const seen = raw ? valuesRead.get(raw) : undefined;
  if (seen) return seen;
  const decoded = decodeStored(raw);
  const value: ReadValue = {
    decoded,
    listed: decoded.descriptor ? listPrincipals(decoded.descriptor, { everyTokenSids: IMPLICIT_TOKEN_SIDS }) : null,
    sddl: decoded.descriptor ? toSddl(decoded.descriptor) : null,
    base64: raw ? raw.toString('base64') : null,
  };
  if (raw) valuesRead.set(raw, value);
  return value;
}

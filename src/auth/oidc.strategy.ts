import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { Strategy } from 'passport-custom';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';
import { looksLikeJwt, presentedCredential } from './credentials';
import { ROLES, type Principal, type Role } from './roles';

/**
 * Passport strategy for JWTs of the organisation's OIDC provider. Keys come from the JWKS URL
 * (cached; refetched when a token names an unknown key id, so key rotation just works).
 * Only asymmetric algorithms are accepted: `alg: none` and HMAC tokens are refused.
 */
@Injectable()
export class OidcStrategy extends PassportStrategy(Strategy, 'oidc') {
  private readonly jwks?: ReturnType<typeof createRemoteJWKSet>;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    super();
    if (config.oidc) {
      this.jwks = createRemoteJWKSet(new URL(config.oidc.jwksUrl), { cacheMaxAge: 10 * 60_000, cooldownDuration: 30_000 });
    }
  }

  async validate(request: Request): Promise<Principal | false> {
    const oidc = this.config.oidc;
    const token = presentedCredential(request.headers);
    if (!oidc || !this.jwks || !token || !looksLikeJwt(token)) return false;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.jwks, {
        issuer: oidc.issuer,
        audience: oidc.audience,
        algorithms: ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'],
        clockTolerance: 30,
      }));
    } catch {
      return false;
    }
    const claim = readClaim(payload, oidc.rolesClaim);
    const roles = (Array.isArray(claim) ? claim : typeof claim === 'string' ? claim.split(/[ ,]+/) : [])
      .map(String)
      .filter((r): r is Role => (ROLES as readonly string[]).includes(r));
    const name = String(payload.preferred_username ?? payload.email ?? payload.sub ?? 'unknown');
    return { id: `oidc:${payload.sub ?? name}`, name, roles, via: 'oidc' };
  }
}

/** Claims may be nested (`realm_access.roles` in Keycloak). */
function readClaim(payload: JWTPayload, path: string): unknown {
  if (path in payload) return payload[path];
  return path.split('.').reduce<unknown>((value, key) => (value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined), payload);
}

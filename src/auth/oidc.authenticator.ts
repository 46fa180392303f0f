import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig, OidcConfig } from '../config/config.types';
import { DomainError } from '../common/errors/domain-error';
import { externalPerson, type Person } from '../persons/person';
import { PersonsService } from '../persons/persons.service';
import { bearerToken, looksLikeJwt } from './credentials';
import { isRole, type Principal } from './roles';

/** Asymmetric algorithms only: `alg: none` and HMAC tokens (e.g. signed with the public key) are refused. */
export const OIDC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];

/**
 * Authenticates JWTs of the organisation's OIDC provider, presented as `Authorization: Bearer`
 * (false: no such token, or one that does not verify). Keys come from the JWKS URL, cached; a token naming an unknown key id
 * makes jose refetch the set (at most once per cooldown), so key rotation at the provider just works.
 */
@Injectable()
export class OidcAuthenticator {
  private readonly jwks?: ReturnType<typeof createRemoteJWKSet>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly persons: PersonsService,
  ) {
    if (config.oidc) {
      this.jwks = createRemoteJWKSet(new URL(config.oidc.jwksUrl), {
        cacheMaxAge: config.oidc.jwksCacheMaxAgeMs,
        cooldownDuration: config.oidc.jwksCooldownMs,
        timeoutDuration: 5000,
      });
    }
  }

  async authenticate(request: Pick<FastifyRequest, 'headers'>): Promise<Principal | false> {
    const oidc = this.config.oidc;
    const token = bearerToken(request.headers);
    if (!oidc || !this.jwks || !token || !looksLikeJwt(token)) return false;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.jwks, {
        issuer: oidc.issuer,
        audience: oidc.audience,
        algorithms: OIDC_ALGORITHMS,
        requiredClaims: ['exp', 'sub'],
        clockTolerance: 30,
      }));
    } catch {
      // Expired, wrong issuer/audience, unknown key, bad signature, JWKS unreachable: all 401.
      return false;
    }
    if (typeof payload.sub !== 'string' || payload.sub === '') return false;
    const claim = readClaim(payload, oidc.rolesClaim);
    const roles = (Array.isArray(claim) ? claim : typeof claim === 'string' ? claim.split(/[ ,]+/) : [])
      .map(String)
      .filter(isRole);
    const name = String(payload.preferred_username ?? payload.email ?? payload.sub);
    const person = await this.personOf(payload, oidc);
    return this.persons.withGroupRoles({
      id: `oidc:${payload.sub}`,
      name,
      roles: [...new Set(roles)],
      via: 'oidc',
      person,
      ...(typeof payload.auth_time === 'number' ? { authTime: payload.auth_time } : {}),
    });
  }

  /**
   * OIDC_USER_CLAIM names the AD user (by UPN, mail or sAMAccountName, exactly one); a token whose
   * claim names nobody is refused (403), or kept as an external person with OIDC_USERS_EXTERNAL.
   * Without OIDC_USER_CLAIM the person is the token's subject, external to AD.
   */
  private async personOf(payload: JWTPayload, oidc: OidcConfig): Promise<Person> {
    if (!oidc.userClaim) return externalPerson(`oidc:${payload.sub}`);
    const value = payload[oidc.userClaim];
    if (typeof value !== 'string' || value.trim() === '') {
      throw new DomainError(
        'FORBIDDEN',
        `The token carries no ${oidc.userClaim} claim, which names the person (OIDC_USER_CLAIM)`,
      );
    }
    try {
      return await this.persons.resolveUser(value, oidc.userClaim);
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== 'PERSON_NOT_RESOLVED') throw error;
      if (oidc.usersExternal && error.details?.reason === 'not-found')
        return externalPerson(value.trim().toLowerCase());
      throw new DomainError(
        'FORBIDDEN',
        `The token's ${oidc.userClaim} claim ${error.message}, so it stands for no person here`,
        { claim: oidc.userClaim, reason: error.details?.reason },
      );
    }
  }
}

/** Claims may be nested (`realm_access.roles` in Keycloak). */
export function readClaim(payload: JWTPayload, path: string): unknown {
  if (path in payload) return payload[path];
  return path
    .split('.')
    .reduce<unknown>(
      (value, key) => (value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined),
      payload,
    );
}

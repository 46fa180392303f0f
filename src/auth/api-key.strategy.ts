import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { Strategy } from 'passport-custom';
import { PersonsService } from '../persons/persons.service';
import { ApiKeysService } from './api-keys.service';
import { looksLikeJwt, presentedCredential } from './credentials';
import type { Principal } from './roles';

/** Passport strategy for API keys (issued, static, bootstrap). */
@Injectable()
export class ApiKeyStrategy extends PassportStrategy(Strategy, 'api-key') {
  constructor(
    private readonly apiKeys: ApiKeysService,
    private readonly persons: PersonsService,
  ) {
    super();
  }

  async validate(request: FastifyRequest): Promise<Principal | false> {
    const token = presentedCredential(request.headers);
    if (!token || looksLikeJwt(token)) return false;
    const principal = await this.apiKeys.verify(token);
    return principal ? this.persons.withGroupRoles(principal) : false;
  }
}

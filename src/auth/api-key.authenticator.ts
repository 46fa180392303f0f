import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { PersonsService } from '../persons/persons.service';
import { ApiKeysService } from './api-keys.service';
import { looksLikeJwt, presentedCredential } from './credentials';
import type { Principal } from './roles';

/** Authenticates API keys (issued, static, bootstrap); false: not an API key, or not a known one. */
@Injectable()
export class ApiKeyAuthenticator {
  constructor(
    private readonly apiKeys: ApiKeysService,
    private readonly persons: PersonsService,
  ) {}

  async authenticate(request: Pick<FastifyRequest, 'headers'>): Promise<Principal | false> {
    const token = presentedCredential(request.headers);
    if (!token || looksLikeJwt(token)) return false;
    const principal = await this.apiKeys.verify(token);
    return principal ? this.persons.withGroupRoles(principal) : false;
  }
}

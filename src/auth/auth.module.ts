import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiKeyAuthenticator } from './api-key.authenticator';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeyRepository } from './api-key.repository';
import { AppPassport } from './app-passport';
import { ApiKeysService } from './api-keys.service';
import { ApiAuthGuard } from './auth.guard';
import { OidcAuthenticator } from './oidc.authenticator';
import { RateLimiter } from './rate-limiter';
import { RateLimitRepository } from './rate-limit.repository';
import { AuditModule } from '../audit/audit.module';
import { PersonsModule } from '../persons/persons.module';

@Module({
  imports: [AuditModule, PersonsModule],
  controllers: [ApiKeysController],
  providers: [
    ApiKeysService,
    ApiKeyRepository,
    ApiKeyAuthenticator,
    OidcAuthenticator,
    AppPassport,
    RateLimiter,
    RateLimitRepository,
    { provide: APP_GUARD, useClass: ApiAuthGuard },
  ],
  exports: [ApiKeysService, RateLimiter],
})
export class AuthModule {}

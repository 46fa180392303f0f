import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { ApiKeyStrategy } from './api-key.strategy';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeysService } from './api-keys.service';
import { ApiAuthGuard } from './auth.guard';
import { OidcStrategy } from './oidc.strategy';
import { RateLimiter } from './rate-limiter';
import { AuditModule } from '../audit/audit.module';
import { PersonsModule } from '../persons/persons.module';

@Module({
  imports: [PassportModule, AuditModule, PersonsModule],
  controllers: [ApiKeysController],
  providers: [
    ApiKeysService,
    ApiKeyStrategy,
    OidcStrategy,
    RateLimiter,
    { provide: APP_GUARD, useClass: ApiAuthGuard },
  ],
  exports: [ApiKeysService, RateLimiter],
})
export class AuthModule {}

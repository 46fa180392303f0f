import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiKeyEntity } from './api-key.entity';
import { ApiKeyStrategy } from './api-key.strategy';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeysService } from './api-keys.service';
import { ApiAuthGuard } from './auth.guard';
import { OidcStrategy } from './oidc.strategy';

@Module({
  imports: [PassportModule, TypeOrmModule.forFeature([ApiKeyEntity])],
  controllers: [ApiKeysController],
  providers: [ApiKeysService, ApiKeyStrategy, OidcStrategy, { provide: APP_GUARD, useClass: ApiAuthGuard }],
  exports: [ApiKeysService],
})
export class AuthModule {}

import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ConfigError } from '../config/config.error';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';

/** Refuses to start on a schema that is behind (PostgreSQL, where migrating is a deploy step). */
@Injectable()
export class SchemaCheck implements OnApplicationBootstrap {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.migrateOnStart) return;
    if (await this.dataSource.showMigrations()) {
      throw new ConfigError(
        'DATABASE_URL',
        'the database schema has pending migrations: run `npm run migration:run` (the compose `migrate` step) first, or set RBCD_MIGRATE_ON_START=true',
      );
    }
  }
}

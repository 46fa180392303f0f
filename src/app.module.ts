import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { type DynamicModule, Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { ChatopsModule } from './chatops/chatops.module';
import { CommonModule } from './common/common.module';
import { formatGraphQLError } from './common/errors/graphql-error.formatter';
import { ConfigModule } from './config/config.module';
import { ConsoleModule } from './console/console.module';
import type { AppConfig } from './config/config.types';
import { buildDataSourceOptions } from './database/data-source-options';
import { DatabaseModule } from './database/database.module';
import { DelegationsModule } from './delegations/delegations.module';
import { DirectoryModule } from './directory/directory.module';
import { GraphqlLimitsModule } from './graphql-limits/graphql-limits.module';
import { queryLimitsPlugin } from './graphql-limits/query-limits.plugin';
import { HealthModule } from './health/health.module';
import { GrantsModule } from './grants/grants.module';
import { JobsModule } from './jobs/jobs.module';
import { LoggingModule } from './logging/logging.module';
import { MetricsModule } from './metrics/metrics.module';
import { OutboxModule } from './notifications/outbox.module';
import { OwnersModule } from './owners/owners.module';
import { PersonsModule } from './persons/persons.module';
import { PolicyModule } from './policy/policy.module';
import { ReconcileModule } from './reconcile/reconcile.module';
import { RequestsModule } from './requests/requests.module';
import { TimersModule } from './timers/timers.module';
import { StandingModule } from './standing/standing.module';
import { BreakGlassModule } from './breakglass/breakglass.module';
import { ReviewsModule } from './reviews/reviews.module';

/**
 * SQLite migrates at start (one process, zero set-up). PostgreSQL migrates as an explicit deploy
 * step (`npm run migration:run`, the compose `migrate` service) so that N replicas never race;
 * RBCD_MIGRATE_ON_START=true opts in (tests, single-instance installs).
 */
function migrateOnStart(config: AppConfig): boolean {
  return config.migrateOnStart;
}

@Module({})
export class AppModule {
  /** The whole service for one validated configuration (main.ts and the tests build it the same way). */
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule,
        TypeOrmModule.forRoot({ ...buildDataSourceOptions(config.database), migrationsRun: migrateOnStart(config) }),
        GraphQLModule.forRoot<ApolloDriverConfig>({
          driver: ApolloDriver,
          autoSchemaFile: true,
          sortSchema: true,
          path: '/graphql',
          playground: false,
          introspection: true,
          // Apollo's Fastify integration passes (request, reply): guards read them as req / res.
          context: (request: unknown, reply: unknown) => ({ req: request, res: reply }),
          formatError: formatGraphQLError,
          // Depth, aliases, fields and directory look-ups per operation (RBCD_GRAPHQL_*): checked before
          // Apollo parses (GraphqlLimitsModule) and again on the resolved operation (this plugin).
          plugins: [queryLimitsPlugin(config.graphql)],
        }),
        GraphqlLimitsModule,
        TerminusModule,
        CommonModule,
        DatabaseModule,
        AuditModule,
        OutboxModule,
        AuthModule,
        DirectoryModule,
        PersonsModule,
        OwnersModule,
        PolicyModule,
        HealthModule,
        DelegationsModule,
        StandingModule,
        RequestsModule,
        BreakGlassModule,
        ReviewsModule,
        JobsModule,
        TimersModule,
        GrantsModule,
        ChatopsModule,
        MetricsModule,
        ReconcileModule,
        ConsoleModule,
      ],
    };
  }
}

import { Module } from '@nestjs/common';
import { DirectoryIntentRepository } from './directory-intent.repository';
import { DirectoryWrites } from './directory-writes';
import { AuditModule } from '../audit/audit.module';
import { DirectoryModule } from '../directory/directory.module';

/** Intents and outcomes of the service's directory writes (issue 19). */
@Module({
  imports: [AuditModule, DirectoryModule],
  providers: [DirectoryIntentRepository, DirectoryWrites],
  exports: [DirectoryIntentRepository, DirectoryWrites],
})
export class DirectoryWritesModule {}

import { Module } from '@nestjs/common';
import { DirectoryIntentRepository } from './directory-intent.repository';
import { DirectoryWrites } from './directory-writes';

/** Intents and outcomes of the service's directory writes (issue 19). */
@Module({
  providers: [DirectoryIntentRepository, DirectoryWrites],
  exports: [DirectoryIntentRepository, DirectoryWrites],
})
export class DirectoryWritesModule {}

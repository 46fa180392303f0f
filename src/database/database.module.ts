import { Global, Module } from '@nestjs/common';
import { SchemaCheck } from './schema-check';
import { TargetLocks } from './target-lock';
import { UnitOfWork } from './unit-of-work';

@Global()
@Module({ providers: [UnitOfWork, TargetLocks, SchemaCheck], exports: [UnitOfWork, TargetLocks] })
export class DatabaseModule {}

import { Global, Module } from '@nestjs/common';
import { SchemaCheck } from './schema-check';
import { UnitOfWork } from './unit-of-work';

@Global()
@Module({ providers: [UnitOfWork, SchemaCheck], exports: [UnitOfWork] })
export class DatabaseModule {}

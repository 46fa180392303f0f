import { Global, Module } from '@nestjs/common';
import { PersonsService } from './persons.service';

@Global()
@Module({ providers: [PersonsService], exports: [PersonsService] })
export class PersonsModule {}

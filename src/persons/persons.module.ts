import { Module } from '@nestjs/common';
import { PersonsService } from './persons.service';
import { DirectoryModule } from '../directory/directory.module';

@Module({ imports: [DirectoryModule], providers: [PersonsService], exports: [PersonsService] })
export class PersonsModule {}

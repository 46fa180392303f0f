import { Module } from '@nestjs/common';
import { OwnersService } from './owners.service';
import { DirectoryModule } from '../directory/directory.module';
import { PersonsModule } from '../persons/persons.module';

@Module({ imports: [DirectoryModule, PersonsModule], providers: [OwnersService], exports: [OwnersService] })
export class OwnersModule {}

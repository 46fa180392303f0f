import { Module } from '@nestjs/common';
import { DirectoryPort } from './directory.port';
import { LdapDirectory } from './ldap-directory';

@Module({
  providers: [{ provide: DirectoryPort, useClass: LdapDirectory }],
  exports: [DirectoryPort],
})
export class DirectoryModule {}

import { Global, Module } from '@nestjs/common';
import { DirectoryPort } from './directory.port';
import { LdapDirectory } from './ldap-directory';

@Global()
@Module({
  providers: [{ provide: DirectoryPort, useClass: LdapDirectory }],
  exports: [DirectoryPort],
})
export class DirectoryModule {}

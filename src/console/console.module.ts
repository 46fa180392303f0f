import { Module } from '@nestjs/common';
import { ConsoleController } from './console.controller';

/** The web console's API side: its sign-in settings and "who am I". The files are served by console-static.ts. */
@Module({ controllers: [ConsoleController] })
export class ConsoleModule {}

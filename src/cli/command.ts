import type { ParseArgsConfig } from 'node:util';
import type { ApiClient } from './api-client';
import type { ExitCode } from './exit-codes';
import type { Io } from './output';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface CommandContext {
  io: Io;
  args: string[];
  /** Parsed options of the command (plus the global ones). */
  opts: Record<string, string | boolean | undefined>;
  json: boolean;
  /** The signed-in client (reads the credentials file on first use). */
  client(): ApiClient;
}

export interface Command {
  /** `who`, `audit export`, `request grant` ... */
  name: string;
  usage: string;
  summary: string;
  options?: OptionSpec;
  run(ctx: CommandContext): Promise<ExitCode | void>;
}

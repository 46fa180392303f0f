#!/usr/bin/env node
// `rbcd`: the admin CLI of rbcd-broker. Framework-free (node's parseArgs and fetch), so it starts
// fast and runs from the sources, from dist/ or from the runtime image alike.
import { parseArgs } from 'node:util';
import { ApiClient, ApiError } from './api-client';
import type { Command } from './command';
import { auditExport, auditVerify } from './commands/audit';
import { login } from './commands/login';
import { diagnose, inventory, where, who } from './commands/reads';
import { approve, reject, requestGrant, requestRevoke, status, wait } from './commands/workflow';
import { type Credentials, credentialsPath, loadCredentials, saveCredentials } from './credentials';
import { freshSession } from './oidc-device';
import { CliFailure, EXIT, UsageError, type ExitCode } from './exit-codes';
import type { Io } from './output';

export const COMMANDS: Command[] = [
  login,
  who,
  where,
  diagnose,
  inventory,
  auditExport,
  auditVerify,
  requestGrant,
  requestRevoke,
  approve,
  reject,
  status,
  wait,
];

const GLOBAL_OPTIONS = {
  json: { type: 'boolean' },
  url: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'rbcd: the admin CLI of rbcd-broker (RBCD requests, approvals, reads, audit)',
    '',
    'Usage: rbcd <command> [arguments] [--json] [--url <service URL>]',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Exit codes: 0 ok, 1 failed, 2 usage, 3 refused by policy. `rbcd <command> --help` for its options.',
    'Credentials: `rbcd login`, or RBCD_URL and RBCD_API_KEY in the environment.',
    '',
  ].join('\n');
}

function findCommand(argv: string[]): { command: Command; rest: string[] } | undefined {
  for (const words of [2, 1]) {
    const name = argv.slice(0, words).join(' ');
    const command = COMMANDS.find((c) => c.name === name);
    if (command) return { command, rest: argv.slice(words) };
  }
  return undefined;
}

/** Runs one command line; returns the exit code (never calls process.exit, so tests can call it). */
export async function runCli(argv: string[], io: Io): Promise<ExitCode> {
  const found = findCommand(argv);
  if (!found) {
    if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
      io.out.write(help());
      return EXIT.ok;
    }
    io.err.write(`rbcd: unknown command "${argv.slice(0, 2).join(' ')}"\n\n${help()}`);
    return EXIT.usage;
  }
  const { command, rest } = found;
  const json = rest.includes('--json');
  try {
    let parsed;
    try {
      // `->` would read as an option: it is an argument of `request grant`.
      const args = rest.map((a) => (a === '->' ? 'to' : a));
      parsed = parseArgs({
        args,
        options: { ...GLOBAL_OPTIONS, ...command.options },
        allowPositionals: true,
        strict: true,
      });
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const opts = parsed.values as Record<string, string | boolean | undefined>;
    if (opts.help) {
      io.out.write(`${command.usage}\n  ${command.summary}\n`);
      return EXIT.ok;
    }
    let client: ApiClient | undefined;
    const code = await command.run({
      io,
      args: parsed.positionals,
      opts,
      json,
      client: () => {
        if (!client) {
          const credentials = loadCredentials(io.env, opts.url as string | undefined);
          client = new ApiClient(
            credentials.url,
            credentials.apiKey ?? oidcBearer(credentials, credentialsPath(io.env)),
          );
        }
        return client;
      },
    });
    return code ?? EXIT.ok;
  } catch (error) {
    return report(io, command, json, error);
  }
}

/** The OIDC token, refreshed (and the file rewritten) when it is about to expire. */
function oidcBearer(credentials: Credentials, path: string): () => Promise<string> {
  let session = credentials.oidc as NonNullable<Credentials['oidc']>;
  return async () => {
    const fresh = await freshSession(session);
    if (fresh.changed) {
      session = fresh.session;
      saveCredentials({ url: credentials.url, oidc: session }, path);
    }
    return session.token;
  };
}

function report(io: Io, command: Command, json: boolean, error: unknown): ExitCode {
  if (error instanceof UsageError) {
    if (json) io.err.write(`${JSON.stringify({ error: { code: 'USAGE', message: error.message } })}\n`);
    else io.err.write(`rbcd ${command.name}: ${error.message}\nUsage: ${command.usage}\n`);
    return EXIT.usage;
  }
  const { code, message, exitCode, details } =
    error instanceof ApiError
      ? { code: error.code, message: error.message, exitCode: error.exitCode, details: error.details }
      : error instanceof CliFailure
        ? { code: error.code, message: error.message, exitCode: error.exitCode, details: undefined }
        : {
            code: 'CLI_ERROR',
            message: error instanceof Error ? error.message : String(error),
            exitCode: EXIT.failed,
            details: undefined,
          };
  if (json)
    io.err.write(`${JSON.stringify({ error: { code, message, ...(details === undefined ? {} : { details }) } })}\n`);
  else io.err.write(`rbcd ${command.name}: ${code}: ${message}\n`);
  return exitCode;
}

/** The process entry (bin/rbcd.js and `node dist/src/cli/main.js`). */
export function main(): void {
  runCli(process.argv.slice(2), { out: process.stdout, err: process.stderr, in: process.stdin, env: process.env }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`rbcd: ${(error as Error).message}\n`);
      process.exitCode = EXIT.failed;
    },
  );
}

if (require.main === module) main();

// Sign-in with an API key. The key is never taken from the command line (it would show in `ps`
// and the shell history): from --api-key-file, $RBCD_API_KEY, standard input, or a hidden prompt.
import { readFileSync } from 'node:fs';
import { ApiClient, ApiError } from '../api-client';
import type { Command, CommandContext } from '../command';
import { credentialsPath, saveCredentials } from '../credentials';
import { CliFailure, EXIT, UsageError } from '../exit-codes';
import { printJson } from '../output';

export const login: Command = {
  name: 'login',
  usage: 'rbcd login <url> [--api-key-file <file> | --api-key-stdin] [--json]',
  summary: 'sign in with an API key; kept in a file only you can read (mode 0600)',
  options: { 'api-key-file': { type: 'string' }, 'api-key-stdin': { type: 'boolean' } },
  async run(ctx) {
    if (ctx.args.length !== 1) throw new UsageError('login takes the service URL');
    const url = ctx.args[0].replace(/\/+$/, '');
    if (!/^https?:\/\/[^\s/]+/.test(url)) throw new UsageError(`"${url}" is not an http(s) URL`);
    const apiKey = (await readKey(ctx)).trim();
    if (!apiKey) throw new UsageError('the API key is empty');
    // A key the service refuses is not saved. 403 means the key is valid but lacks the role to list requests.
    try {
      await new ApiClient(url, apiKey, 15_000).get('/requests', { limit: 1 });
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 403) throw error;
    }
    const path = credentialsPath(ctx.io.env);
    saveCredentials({ url, apiKey }, path);
    if (ctx.json) return printJson(ctx.io, { url, credentials: path });
    ctx.io.out.write(`Signed in to ${url}; credentials saved in ${path} (mode 0600).\n`);
  },
};

async function readKey(ctx: CommandContext): Promise<string> {
  const file = ctx.opts['api-key-file'] as string | undefined;
  if (file) {
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      throw new CliFailure(
        `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        EXIT.usage,
      );
    }
  }
  if (ctx.io.env.RBCD_API_KEY) return ctx.io.env.RBCD_API_KEY;
  if (ctx.opts['api-key-stdin'] || !ctx.io.in.isTTY) return readAll(ctx.io.in);
  return promptHidden(ctx, 'API key: ');
}

async function readAll(input: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of input) text += chunk.toString();
  return text;
}

/** Reads a line from the terminal without echoing it. */
function promptHidden(ctx: CommandContext, question: string): Promise<string> {
  const input = ctx.io.in as NodeJS.ReadStream;
  ctx.io.err.write(question);
  return new Promise((resolve) => {
    let value = '';
    input.setRawMode?.(true);
    input.resume();
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n' || char === '\u0004') {
          input.setRawMode?.(false);
          input.pause();
          input.off('data', onData);
          ctx.io.err.write('\n');
          return resolve(value);
        }
        if (char === '\u0003') process.exit(EXIT.failed);
        value = char === '\u007f' ? value.slice(0, -1) : value + char;
      }
    };
    input.on('data', onData);
  });
}

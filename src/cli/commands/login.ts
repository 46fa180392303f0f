// Sign-in with an API key, or with the organisation's OpenID provider (device code, RFC 8628).
// The key is never taken from the command line (it would show in `ps` and the shell history): from
// --api-key-file, $RBCD_API_KEY, standard input, or a hidden prompt. With --oidc <issuer> the CLI
// shows a URL and a code to enter in a browser (on any machine) and waits for the sign-in there.
import { readFileSync } from 'node:fs';
import { ApiClient, ApiError } from '../api-client';
import type { Command, CommandContext } from '../command';
import { credentialsPath, saveCredentials } from '../credentials';
import { CliFailure, EXIT, UsageError } from '../exit-codes';
import { deviceSignIn, type OidcSession } from '../oidc-device';
import { printJson } from '../output';

export const login: Command = {
  name: 'login',
  usage:
    'rbcd login <url> [--api-key-file <file> | --api-key-stdin | --oidc <issuer URL> [--client-id <id>] [--scope <scopes>] [--resource <URI>]] [--json]',
  summary: 'sign in with an API key, or OIDC device code; kept in a file only you can read (mode 0600)',
  options: {
    'api-key-file': { type: 'string' },
    'api-key-stdin': { type: 'boolean' },
    oidc: { type: 'string' },
    'client-id': { type: 'string' },
    scope: { type: 'string' },
    resource: { type: 'string' },
  },
  async run(ctx) {
    if (ctx.args.length !== 1) throw new UsageError('login takes the service URL');
    const url = ctx.args[0].replace(/\/+$/, '');
    if (!/^https?:\/\/[^\s/]+/.test(url)) throw new UsageError(`"${url}" is not an http(s) URL`);
    if (ctx.opts.oidc !== undefined) return oidcLogin(ctx, url);
    if (ctx.opts['client-id'] || ctx.opts.scope || ctx.opts.resource)
      throw new UsageError('--client-id, --scope and --resource go with --oidc');
    const apiKey = (await readKey(ctx)).trim();
    if (!apiKey) throw new UsageError('the API key is empty');
    await checkWithBroker(url, apiKey);
    const path = credentialsPath(ctx.io.env);
    saveCredentials({ url, apiKey }, path);
    if (ctx.json) return printJson(ctx.io, { url, credentials: path });
    ctx.io.out.write(`Signed in to ${url}; credentials saved in ${path} (mode 0600).\n`);
  },
};

/** A credential the broker refuses is not saved; 403 means it is valid but lacks the role to list requests. */
async function checkWithBroker(url: string, bearer: string): Promise<void> {
  try {
    await new ApiClient(url, bearer, 15_000).get('/requests', { limit: 1 });
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 403) throw error;
  }
}

async function oidcLogin(ctx: CommandContext, url: string): Promise<void> {
  const issuer = String(ctx.opts.oidc).replace(/\/+$/, '');
  if (!/^https?:\/\/[^\s/]+/.test(issuer)) throw new UsageError(`--oidc "${issuer}" is not an http(s) URL`);
  if (ctx.opts['api-key-file'] || ctx.opts['api-key-stdin']) throw new UsageError('--oidc signs in without an API key');
  const session: OidcSession = await deviceSignIn(
    {
      issuer,
      clientId: (ctx.opts['client-id'] as string | undefined) ?? 'rbcd-cli',
      scope: (ctx.opts.scope as string | undefined) ?? 'openid offline_access',
      resource: ctx.opts.resource as string | undefined,
    },
    (prompt) => {
      // On standard error: standard output stays the command's answer (--json).
      ctx.io.err.write(
        `To sign in, open ${prompt.verificationUri} in a browser and enter the code\n\n    ${prompt.userCode}\n\n` +
          (prompt.verificationUriComplete ? `(or open ${prompt.verificationUriComplete})\n` : '') +
          `Waiting for the sign-in (the code expires in ${Math.round(prompt.expiresInS / 60)} min)...\n`,
      );
    },
  );
  await checkWithBroker(url, session.token);
  const path = credentialsPath(ctx.io.env);
  saveCredentials({ url, oidc: session }, path);
  if (ctx.json)
    return printJson(ctx.io, {
      url,
      credentials: path,
      issuer,
      expiresAt: session.expiresAt,
      refreshable: Boolean(session.refreshToken),
    });
  ctx.io.out.write(
    `Signed in to ${url} through ${issuer}; tokens saved in ${path} (mode 0600)${session.refreshToken ? ', refreshed as they expire' : `, valid until ${session.expiresAt}`}.\n`,
  );
}

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

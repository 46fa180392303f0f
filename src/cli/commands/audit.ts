// The audit log outside the server: export it as JSON Lines, and check its hash chain offline
// with the same verifier the service uses on its database (src/audit/audit-chain.ts).
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ChainVerifier } from '../../audit/audit-chain';
import type { Command } from '../command';
import { CliFailure, EXIT, UsageError } from '../exit-codes';
import { printJson } from '../output';

export const auditExport: Command = {
  name: 'audit export',
  usage: 'rbcd audit export [--since <ISO time>] [--from-seq <n>] [--output <file>] > audit.jsonl',
  summary: 'the audit chain from a point to its end, oldest first, one JSON event per line',
  options: { since: { type: 'string' }, 'from-seq': { type: 'string' }, output: { type: 'string', short: 'o' } },
  async run({ client, args, opts, io }) {
    if (args.length) throw new UsageError('audit export takes no positional argument');
    const fromSeq = opts['from-seq'] as string | undefined;
    if (fromSeq !== undefined && !/^[1-9]\d*$/.test(fromSeq))
      throw new UsageError('--from-seq must be a positive integer');
    const since = opts.since as string | undefined;
    if (since !== undefined && Number.isNaN(Date.parse(since)))
      throw new UsageError('--since must be an ISO 8601 time (2026-12-01T00:00:00Z)');
    const response = await client().stream('/audit/export', { since, fromSeq });
    if (!response.body) return;
    const body = Readable.fromWeb(response.body as never);
    await pipeline(body, opts.output ? createWriteStream(opts.output as string, { mode: 0o600 }) : keepOpen(io.out));
  },
};

export const auditVerify: Command = {
  name: 'audit verify',
  usage:
    'rbcd audit verify <audit.jsonl | -> [--anchor <hash of the event before the first>] [--allow-repeats] [--json]',
  summary: 'check an exported chain without the server; names the first broken link (exit 1)',
  options: { anchor: { type: 'string' }, 'allow-repeats': { type: 'boolean' } },
  async run({ args, opts, json, io }) {
    if (args.length !== 1) throw new UsageError('audit verify takes one file (or - for standard input)');
    const anchor = opts.anchor as string | undefined;
    if (anchor !== undefined && !/^[0-9a-f]{64}$/.test(anchor))
      throw new UsageError('--anchor must be a SHA-256 hash (64 lower-case hex digits)');
    const input = args[0] === '-' ? io.in : createReadStream(args[0]);
    // --allow-repeats: a file a SIEM received (at-least-once delivery may repeat a batch).
    const verifier = new ChainVerifier({ anchor, allowRepeats: opts['allow-repeats'] === true });
    try {
      for await (const raw of createInterface({ input, crlfDelay: Infinity })) {
        if (verifier.pushLine(raw)) break;
      }
    } catch (error) {
      throw new CliFailure(`cannot read ${args[0]}: ${(error as Error).message}`);
    }
    const result = verifier.result();
    if (json) printJson(io, result);
    else if (result.ok && result.events === 0) io.out.write('No events: nothing to verify.\n');
    else if (result.ok) {
      const from =
        result.firstSeq === 1
          ? 'from the first event (genesis)'
          : `from event ${result.firstSeq}, anchored on prevHash ${result.anchor}${anchor ? ' (pinned)' : ' (given by the file: pin it with --anchor)'}`;
      io.out.write(
        `OK: ${result.events} events, ${from} to event ${result.lastSeq}; the chain is intact.${result.repeats ? ` (${result.repeats} repeated deliveries skipped)` : ''}\n`,
      );
    } else
      io.out.write(
        `BROKEN at event ${result.firstBadSeq}: ${result.reason} (${result.events} events before it verified)\n`,
      );
    return result.ok ? EXIT.ok : EXIT.failed;
  },
};

/** Standard output must stay open after the pipeline (process.stdout cannot be ended). */
function keepOpen(out: NodeJS.WritableStream): NodeJS.WritableStream {
  return new Writable({ write: (chunk, _enc, done) => (out.write(chunk) ? done() : out.once('drain', () => done())) });
}

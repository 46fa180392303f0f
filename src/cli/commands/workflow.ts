// The request workflow from a terminal: file a grant (plan shown first, confirmation unless
// --yes), approve, reject, look at it, and wait for it to be final (the exit code says how it ended).
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command, CommandContext } from '../command';
import { toIsoDuration } from '../duration';
import { CliFailure, EXIT, UsageError, type ExitCode } from '../exit-codes';
import { printJson, table } from '../output';

interface Account {
  samAccountName: string;
  domain?: string;
}
interface PlanItem {
  target: Account & { dn: string };
  changed: boolean;
  before: { principals: { samAccountName: string | null; sid: string }[] };
  after: { principals: { samAccountName: string | null; sid: string }[] };
  policy: { allowed: boolean; requiredApprovals: number; reasons: string[] };
  error?: { code: string; message: string };
}
interface RequestView {
  id: string;
  status: string;
  action: string;
  targets: Account[];
  principals: Account[];
  requester: string;
  justification: string;
  ticket: { system: string; id: string } | null;
  expiresAt: string | null;
  requiredApprovals: number;
  approvals: { approverName: string; decision: string; comment: string | null }[];
  result: { error?: { code?: string; message?: string } } | null;
  nextSteps: string[];
}

/** Final states and the exit code each gives `rbcd wait`. */
const FINAL: Record<string, ExitCode> = {
  applied: EXIT.ok,
  expired: EXIT.ok,
  revoked: EXIT.ok,
  failed: EXIT.failed,
  rejected: EXIT.refused,
  cancelled: EXIT.refused,
};

const list = (values: string[]) =>
  values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);

/** `SERVERB -> SERVERC` (quote the arrow in a shell) or `SERVERB to SERVERC`; lists with commas or spaces. */
function parseArrow(args: string[], action: string): { principals: string[]; targets: string[] } {
  const at = args.findIndex((a) => a === 'to' || a === '->');
  if (at < 0) {
    if (args[args.length - 1] === '-')
      throw new UsageError(
        `an unquoted -> was read by the shell as a redirection: write '->' in quotes, or "to" (rbcd request ${action} SERVERB to SERVERC)`,
      );
    throw new UsageError(
      `name the principal(s), then -> or "to", then the target(s): rbcd request ${action} SERVERB '->' SERVERC`,
    );
  }
  const principals = list(args.slice(0, at));
  const targets = list(args.slice(at + 1));
  if (principals.length === 0 || targets.length === 0) throw new UsageError('both sides of -> need at least one name');
  return { principals, targets };
}

function parseTicket(text: string | undefined): { system: string; id: string } | undefined {
  if (text === undefined) return undefined;
  const match = /^([A-Za-z][\w.-]*):(.+)$/.exec(text);
  return match ? { system: match[1], id: match[2] } : { system: 'ticket', id: text };
}

function names(principals: { samAccountName: string | null; sid: string }[]): string {
  return principals.map((p) => p.samAccountName ?? p.sid).join(', ') || '(nobody)';
}

function printRequest(ctx: CommandContext, r: RequestView): void {
  const out = ctx.io.out;
  out.write(`Request ${r.id}: ${r.status}\n`);
  out.write(
    `  ${r.action} ${r.principals.map((p) => p.samAccountName).join(', ')} -> ${r.targets.map((t) => t.samAccountName).join(', ')}\n`,
  );
  out.write(
    `  requester ${r.requester}; because: ${r.justification}${r.ticket ? `; ticket ${r.ticket.system}:${r.ticket.id}` : ''}\n`,
  );
  out.write(
    `  approvals ${r.approvals.filter((a) => a.decision === 'approve').length}/${r.requiredApprovals}${r.expiresAt ? `; expires ${r.expiresAt}` : ''}\n`,
  );
  for (const a of r.approvals)
    out.write(`    ${a.decision} by ${a.approverName}${a.comment ? `: ${a.comment}` : ''}\n`);
  if (r.result?.error) out.write(`  error ${r.result.error.code ?? ''}: ${r.result.error.message ?? ''}\n`);
  for (const step of r.nextSteps) out.write(`  next: ${step}\n`);
}

async function confirm(ctx: CommandContext, question: string): Promise<boolean> {
  if (!ctx.io.in.isTTY) throw new UsageError('no terminal to confirm on: pass --yes to file without the question');
  const rl = createInterface({ input: ctx.io.in, output: ctx.io.err });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

function requestCommand(action: 'grant' | 'revoke'): Command {
  return {
    name: `request ${action}`,
    usage: `rbcd request ${action} <principal>[,...] '->' <target>[,...] --because <text> [--for 8h] [--ticket [system:]id] [--yes] [--json]`,
    summary:
      action === 'grant'
        ? 'file a grant: shows the plan and asks before filing (unless --yes)'
        : 'file a revoke: shows the plan and asks before filing',
    options: {
      because: { type: 'string' },
      for: { type: 'string' },
      ticket: { type: 'string' },
      yes: { type: 'boolean', short: 'y' },
    },
    async run(ctx) {
      const { principals, targets } = parseArrow(ctx.args, action);
      const because = ctx.opts.because as string | undefined;
      if (!because?.trim())
        throw new UsageError('--because is required: say why (it is audited and shown to approvers)');
      const duration = ctx.opts.for === undefined ? undefined : toIsoDuration(ctx.opts.for as string);
      const ticket = parseTicket(ctx.opts.ticket as string | undefined);
      const api = ctx.client();
      const plan = await api.post<{ items: PlanItem[] }>('/delegations/plan', { action, targets, principals });
      const refused = plan.items.filter((i) => !i.policy.allowed || i.error);
      if (!ctx.json) {
        ctx.io.out.write(
          `Plan: ${action} ${principals.join(', ')} -> ${targets.join(', ')}${duration ? ` for ${duration}` : ''}\n\n`,
        );
        ctx.io.out.write(
          table(
            plan.items.map((i) => ({
              target: i.target.samAccountName,
              change: i.error ? `error ${i.error.code}` : i.changed ? 'yes' : 'none (already so)',
              before: names(i.before.principals),
              after: names(i.after.principals),
              approvals: i.policy.requiredApprovals,
              policy: i.policy.allowed ? 'allowed' : `REFUSED: ${i.policy.reasons.join('; ')}`,
            })),
            ['target', 'change', 'before', 'after', 'approvals', 'policy'],
          ),
        );
      }
      if (refused.length) {
        const reasons = refused
          .map((i) => `${i.target.samAccountName}: ${i.error?.message ?? i.policy.reasons.join('; ')}`)
          .join('\n  ');
        if (ctx.json) printJson(ctx.io, { plan, request: null, refused: true });
        throw new CliFailure(
          `not filed: policy refuses it\n  ${reasons}`,
          refused.some((i) => !i.policy.allowed) ? EXIT.refused : EXIT.failed,
          refused.find((i) => i.error)?.error?.code ?? 'POLICY_DENIED',
        );
      }
      if (!ctx.opts.yes && !(await confirm(ctx, `\nFile this ${action} request? [y/N] `))) {
        ctx.io.err.write('Not filed.\n');
        return EXIT.failed;
      }
      const body = { action, targets, principals, justification: because, ticket, duration };
      const created = await api.post<RequestView>('/requests', body, { 'Idempotency-Key': randomUUID() });
      if (ctx.json) return printJson(ctx.io, { plan, request: created });
      ctx.io.out.write('\n');
      printRequest(ctx, created);
      ctx.io.out.write(`\nrbcd wait ${created.id}   # blocks until it is final\n`);
    },
  };
}

export const requestGrant = requestCommand('grant');
export const requestRevoke = requestCommand('revoke');

function idOf(args: string[], name: string): string {
  if (args.length !== 1) throw new UsageError(`${name} takes one request id`);
  return args[0];
}

export const approve: Command = {
  name: 'approve',
  usage: 'rbcd approve <id> [--comment <text>] [--json]',
  summary: 'approve a pending request',
  options: { comment: { type: 'string' } },
  async run(ctx) {
    const r = await ctx
      .client()
      .post<RequestView>(`/requests/${encodeURIComponent(idOf(ctx.args, 'approve'))}/approve`, {
        comment: ctx.opts.comment,
      });
    return ctx.json ? printJson(ctx.io, r) : printRequest(ctx, r);
  },
};

export const reject: Command = {
  name: 'reject',
  usage: 'rbcd reject <id> --comment <why> [--json]',
  summary: 'reject a pending request (the reason is required)',
  options: { comment: { type: 'string' } },
  async run(ctx) {
    const id = idOf(ctx.args, 'reject');
    if (!(ctx.opts.comment as string | undefined)?.trim()) throw new UsageError('--comment is required: say why');
    const r = await ctx
      .client()
      .post<RequestView>(`/requests/${encodeURIComponent(id)}/reject`, { comment: ctx.opts.comment });
    return ctx.json ? printJson(ctx.io, r) : printRequest(ctx, r);
  },
};

export const status: Command = {
  name: 'status',
  usage: 'rbcd status <id> [--json]',
  summary: 'a request, its approvals, result and next steps',
  async run(ctx) {
    const r = await ctx.client().get<RequestView>(`/requests/${encodeURIComponent(idOf(ctx.args, 'status'))}`);
    return ctx.json ? printJson(ctx.io, r) : printRequest(ctx, r);
  },
};

export const wait: Command = {
  name: 'wait',
  usage: 'rbcd wait <id> [--timeout 30m] [--interval 2s] [--json]',
  summary:
    'block until the request is final: exit 0 applied (or since expired/revoked), 1 failed or timed out, 3 rejected/cancelled',
  options: { timeout: { type: 'string' }, interval: { type: 'string' } },
  async run(ctx) {
    const id = idOf(ctx.args, 'wait');
    const timeoutMs = ctx.opts.timeout === undefined ? Infinity : millis(ctx.opts.timeout as string, '--timeout');
    const intervalMs = ctx.opts.interval === undefined ? 2000 : millis(ctx.opts.interval as string, '--interval');
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      const r = await ctx.client().get<RequestView>(`/requests/${encodeURIComponent(id)}`);
      if (r.status !== last && !ctx.json) ctx.io.err.write(`${new Date().toISOString()} ${r.id}: ${r.status}\n`);
      last = r.status;
      const code = FINAL[r.status];
      if (code !== undefined) {
        if (ctx.json) printJson(ctx.io, r);
        else printRequest(ctx, r);
        return code;
      }
      if (Date.now() + intervalMs > deadline)
        throw new CliFailure(`request ${id} is still ${r.status} after the timeout`, EXIT.failed, 'TIMEOUT');
      await sleep(intervalMs);
    }
  },
};

function millis(text: string, name: string): number {
  const match = /^(\d+)(ms|s|m|h)?$/.exec(text);
  if (!match) throw new UsageError(`${name}: "${text}" is not a duration (500ms, 10s, 5m, 1h)`);
  return Number(match[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(match[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
}

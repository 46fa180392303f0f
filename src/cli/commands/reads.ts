// Read-only questions: who may delegate to a target, where a principal may delegate, why a
// double hop fails, and the inventory of every delegation setting under a base.
import type { Command } from '../command';
import { EXIT, UsageError } from '../exit-codes';
import { csv, mark, printJson, table } from '../output';

interface Warning {
  code: string;
  message: string;
}
interface DelegationView {
  target: { dn: string; samAccountName: string; domain: string };
  principals: {
    sid: string;
    samAccountName: string | null;
    domain: string | null;
    aceType: string;
    effective: boolean;
    accessMask: number;
  }[];
  /** Who can write the list outside the broker (GET /delegations/{target}, DelegationWriterModel). */
  writers?: {
    sid: string;
    samAccountName: string | null;
    dn: string | null;
    domain: string | null;
    resolved: boolean;
    rights: string[];
    via: 'owner' | 'ace';
    class: 'tier0' | 'service' | 'self' | 'other';
  }[];
  warnings: Warning[];
}

function one(args: string[], name: string): string {
  if (args.length !== 1) throw new UsageError(`${name} takes exactly one name`);
  return args[0];
}

function printWarnings(out: NodeJS.WritableStream, warnings: Warning[]): void {
  if (warnings.length === 0) return;
  out.write('\nWarnings:\n');
  for (const w of warnings) out.write(`  ${w.code}: ${w.message}\n`);
}

export const who: Command = {
  name: 'who',
  usage: 'rbcd who <target> [--domain <dns name>] [--json]',
  summary: 'who may delegate to a target (its RBCD list), writers and warnings',
  options: { domain: { type: 'string' } },
  async run({ client, args, opts, json, io }) {
    const target = one(args, 'who');
    const view = await client().get<DelegationView>(`/delegations/${encodeURIComponent(target)}`, {
      domain: opts.domain as string | undefined,
    });
    if (json) return printJson(io, view);
    io.out.write(`${view.target.samAccountName} (${view.target.domain})  ${view.target.dn}\n`);
    if (view.principals.length === 0)
      io.out.write('Nobody may delegate to it (no msDS-AllowedToActOnBehalfOfOtherIdentity).\n');
    else
      io.out.write(
        '\n' +
          table(
            view.principals.map((p) => ({
              principal: p.samAccountName ?? '(unresolved)',
              domain: p.domain,
              ace: p.aceType,
              effective: p.effective ? 'yes' : 'NO',
              sid: p.sid,
            })),
            ['principal', 'domain', 'ace', 'effective', 'sid'],
          ),
      );
    if (view.writers?.length) {
      // Outside Tier 0 first: those are the ones to act on (a helpdesk ACE, an owner); SELF next.
      const order = { other: 0, self: 1, service: 2, tier0: 3 } as const;
      const writers = [...view.writers].sort((a, b) => order[a.class] - order[b.class]);
      io.out.write('\nWho can change this list outside the broker:\n');
      io.out.write(
        table(
          writers.map((w) => ({
            writer: w.samAccountName ?? w.sid,
            domain: w.domain ?? '',
            class: w.class === 'other' ? 'OTHER' : w.class,
            via: w.via,
            rights: w.rights.join(', '),
            sid: w.sid,
          })),
          ['writer', 'domain', 'class', 'via', 'rights', 'sid'],
        ),
      );
    }
    printWarnings(io.out, view.warnings);
  },
};

export const where: Command = {
  name: 'where',
  usage: 'rbcd where <principal> [--json]',
  summary: 'the targets a principal may delegate to',
  async run({ client, args, json, io }) {
    const principal = one(args, 'where');
    const view = await client().get<{
      principal: { samAccountName: string; domain: string };
      targets: { samAccountName: string; domain: string; dn: string }[];
    }>('/delegations', { principal });
    if (json) return printJson(io, view);
    io.out.write(
      `${view.principal.samAccountName} (${view.principal.domain}) may delegate to ${view.targets.length} target(s)\n`,
    );
    if (view.targets.length)
      io.out.write(
        '\n' +
          table(
            view.targets.map((t) => ({ target: t.samAccountName, domain: t.domain, dn: t.dn })),
            ['target', 'domain', 'dn'],
          ),
      );
  },
};

export const diagnose: Command = {
  name: 'diagnose',
  usage: 'rbcd diagnose <user> <front-end> <back-end> [--spn <spn>] [--json]',
  summary: 'why a double hop would fail: each check marked pass, warn or fail (exit 1 on a fail)',
  options: { spn: { type: 'string' } },
  async run({ client, args, opts, json, io }) {
    if (args.length !== 3) throw new UsageError('diagnose takes <user> <front-end> <back-end>');
    const [user, frontEnd, backEnd] = args;
    const result = await client().post<{ ok: boolean; checks: { id: string; status: string; message: string }[] }>(
      '/diagnose',
      { user, frontEnd, backEnd, spn: opts.spn },
    );
    if (json) printJson(io, result);
    else {
      for (const c of result.checks) io.out.write(`${mark(c.status)} ${c.id}: ${c.message}\n`);
      io.out.write(result.ok ? '\nNo check failed.\n' : '\nAt least one check failed.\n');
    }
    return result.ok ? EXIT.ok : EXIT.failed;
  },
};

interface InventoryItem {
  samAccountName: string;
  domain: string;
  dn: string;
  kinds: string[];
  rbcdPrincipals: { sid: string; samAccountName: string | null }[];
  allowedToDelegateTo: string[];
  risks: Warning[];
}

const INVENTORY_COLUMNS = ['account', 'domain', 'kinds', 'rbcd', 'constrainedTo', 'risks', 'dn'];

export const inventory: Command = {
  name: 'inventory',
  usage:
    'rbcd inventory [--base <DN>] [--kinds rbcd,constrained,unconstrained,protocolTransition] [--format table|csv|json]',
  summary: 'every delegation setting under a base, with risk flags (a progress bar on a terminal)',
  options: { base: { type: 'string' }, kinds: { type: 'string' }, format: { type: 'string' } },
  async run({ client, args, opts, json, io }) {
    if (args.length) throw new UsageError('inventory takes no positional argument (use --base)');
    const format = json ? 'json' : ((opts.format as string | undefined) ?? 'table');
    if (!['table', 'csv', 'json'].includes(format)) throw new UsageError('--format must be table, csv or json');
    const items: InventoryItem[] = [];
    const progress = io.err.isTTY === true;
    let cursor: string | undefined;
    let total = 0;
    do {
      const page = await client().get<{ items: InventoryItem[]; total: number; nextCursor: string | null }>(
        '/inventory',
        {
          base: opts.base as string | undefined,
          kinds: opts.kinds as string | undefined,
          limit: 500,
          cursor,
        },
      );
      items.push(...page.items);
      total = page.total;
      cursor = page.nextCursor ?? undefined;
      if (progress) io.err.write(`\r${bar(items.length, total)}`);
    } while (cursor);
    if (progress) io.err.write('\n');
    if (format === 'json') return printJson(io, { items, total });
    const rows = items.map((i) => ({
      account: i.samAccountName,
      domain: i.domain,
      kinds: i.kinds.join(' '),
      rbcd: i.rbcdPrincipals.map((p) => p.samAccountName ?? p.sid).join(' '),
      constrainedTo: i.allowedToDelegateTo.join(' '),
      risks: i.risks.map((r) => r.code).join(' '),
      dn: i.dn,
    }));
    io.out.write(format === 'csv' ? csv(rows, INVENTORY_COLUMNS) : table(rows, INVENTORY_COLUMNS));
  },
};

function bar(done: number, total: number): string {
  const width = 30;
  const filled = total > 0 ? Math.round((done / total) * width) : width;
  return `inventory [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`;
}

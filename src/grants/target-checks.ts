import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';
import { DirectoryPort } from '../directory/directory.port';
import { RBCD_ATTRIBUTE, type AccountRef, type DirectoryObject } from '../directory/directory.types';
import { query } from '../directory/directory-query';
import { mapLimit } from '../delegations/target-expander';
import { ACCOUNT_ATTRIBUTES } from '../directory/entry-mapper';
import { BuiltinGuard } from '../policy/builtin-guard.service';
import { neverTargetReason, PolicyService, protectedReason } from '../policy/policy.service';
import type { RequestEntity } from '../requests/request.entity';
import { sidToBytes } from '../security-descriptor';

const FETCH_BATCH = 100;
/** OR-searches of a fetch sent at once (the DC answers them on its worker processes side by side). */
const SEARCHES_IN_FLIGHT = 4;

/** What every directory write of a request checks first: the targets as they are now, and policy again. */
@Injectable()
export class TargetChecks {
  constructor(
    private readonly directory: DirectoryPort,
    private readonly policy: PolicyService,
    private readonly guard: BuiltinGuard,
  ) {}

  /**
   * Fresh copies of the targets (the attributes policy needs, and the stored value the first
   * compare-and-swap attempt starts from), in a few batched searches instead of one per target, up to four at once.
   */
  async fetchTargets(
    targets: AccountRef[],
    options: { withSecurityDescriptor?: boolean } = {},
  ): Promise<Map<string, DirectoryObject>> {
    const found = new Map<string, DirectoryObject>();
    const batches: { domain: string; list: AccountRef[] }[] = [];
    const byDomain = new Map<string, AccountRef[]>();
    for (const t of targets) byDomain.set(t.domain, [...(byDomain.get(t.domain) ?? []), t]);
    for (const [domain, list] of byDomain)
      for (let i = 0; i < list.length; i += FETCH_BATCH) batches.push({ domain, list: list.slice(i, i + FETCH_BATCH) });
    await mapLimit(batches, SEARCHES_IN_FLIGHT, async ({ domain, list }) => {
      const filter = query.or(...list.map((t) => query.equals('objectSid', sidToBytes(t.sid))));
      for await (const object of this.directory.search(domain, undefined, {
        filter,
        attributes: [...ACCOUNT_ATTRIBUTES, RBCD_ATTRIBUTE],
        withSecurityDescriptor: options.withSecurityDescriptor,
      })) {
        found.set(object.sid.toUpperCase(), object);
      }
    });
    return found;
  }

  /**
   * The built-in policy, again just before the write, against the principals as they are now (a
   * group may have gained Domain Computers since the request); returns each target's Tier 0 group.
   */
  async recheckBuiltin(
    request: RequestEntity,
    fresh: Map<string, DirectoryObject>,
  ): Promise<Map<string, string | undefined>> {
    await this.recheckPrincipals(request);
    return this.tier0Groups(fresh);
  }

  /** The built-in policy on the request's principals as they are now (throws POLICY_DENIED). */
  async recheckPrincipals(request: RequestEntity): Promise<void> {
    const principals = await Promise.all(
      request.principals.map((p) => this.directory.resolve(p.sid, { kind: 'principal', domain: p.domain })),
    );
    const verdict = await this.guard.checkPrincipals(principals);
    if (verdict.refusals.length)
      throw new DomainError('POLICY_DENIED', verdict.refusals.join('; '), { reasons: verdict.refusals });
  }

  /** Each target's Tier 0 group (undefined where it is in none). */
  async tier0Groups(fresh: Map<string, DirectoryObject>): Promise<Map<string, string | undefined>> {
    const tier0Groups = new Map<string, string | undefined>();
    for (const [sid, target] of fresh) tier0Groups.set(sid, await this.guard.tier0Membership(target));
    return tier0Groups;
  }

  /** Policy is checked again right before the write, against the target as it is now. */
  recheckPolicy(
    target: AccountRef,
    fresh: DirectoryObject | undefined,
    tier0Group: string | undefined,
    durationSeconds: number | null,
    emergency = false,
  ): void {
    if (!fresh)
      throw new DomainError(
        'TARGET_NOT_FOUND',
        `${target.samAccountName} (${target.sid}) no longer exists in ${target.domain}`,
      );
    const decision = this.policy.evaluate(fresh, { tier0Group });
    // Break-glass again at the write: the rule must still allow it, and the target must not have become Tier 0.
    const tier0 = emergency ? (neverTargetReason(fresh) ?? protectedReason(fresh, tier0Group)) : undefined;
    if (tier0 || (emergency && !decision.breakGlass?.allowed)) {
      decision.allowed = false;
      decision.reasons.push(
        tier0 ? `${tier0}: break-glass never applies to Tier 0` : 'no rule allows break-glass here now',
      );
    }
    // A scheduled grant is applied long after its approval: a policy that shrank meanwhile still holds.
    const maxMs = emergency ? (decision.breakGlass?.maxDurationMs ?? 0) : decision.maxDurationMs;
    if (decision.allowed && durationSeconds && durationSeconds * 1000 > maxMs) {
      decision.allowed = false;
      decision.reasons.push(`the grant's duration exceeds the policy maximum of ${Math.round(maxMs / 60_000)} minutes`);
    }
    if (!decision.allowed)
      throw new DomainError('POLICY_DENIED', `${target.samAccountName}: ${decision.reasons.slice(1).join('; ')}`, {
        reasons: decision.reasons,
      });
  }
}

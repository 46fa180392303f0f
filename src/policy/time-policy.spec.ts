import type { PolicyConfig } from '../config/config.types';
import { escalationTarget, resolveTimePolicy, strictest } from './time-policy';

const defaults: PolicyConfig['defaults'] = {
  requiredApprovals: 1,
  maxDuration: 'P1D',
  requireTicket: false,
  remindAfter: 'PT1H',
  pendingTimeout: 'P2D',
};

describe('time policy', () => {
  it('fills a rule from the defaults: maxLeadTime 30 days, maxTotalDuration the maxDuration, no auto-approval', () => {
    const time = resolveTimePolicy(undefined, defaults, 86_400_000);
    expect(time).toEqual({
      maxLeadTimeMs: 30 * 86_400_000,
      maxTotalDurationMs: 86_400_000,
      autoApproveExtensions: 0,
      remindAfterMs: 3_600_000,
      escalateAfterMs: null,
      escalates: false,
      pendingTimeoutMs: 2 * 86_400_000,
    });
  });

  it('a rule wins over the defaults; escalation needs both escalateAfter and escalateTo', () => {
    const rule = {
      match: { domain: 'contoso.test' },
      pendingTimeout: 'PT4H',
      escalateAfter: 'PT2H',
      escalateTo: { url: 'https://chat.example/hooks/x', format: 'chat' as const },
      autoApproveExtensions: 2,
    };
    const time = resolveTimePolicy(rule, defaults, 86_400_000);
    expect(time).toMatchObject({ pendingTimeoutMs: 4 * 3_600_000, escalateAfterMs: 2 * 3_600_000, escalates: true });
    expect(time.autoApproveExtensions).toBe(2);
    expect(escalationTarget({ defaults, rules: [rule] }, 0)?.url).toBe('https://chat.example/hooks/x');
    expect(escalationTarget({ defaults, rules: [rule] }, null)).toBeUndefined();
  });

  it('several targets: the strictest of each setting', () => {
    const a = resolveTimePolicy(undefined, defaults, 86_400_000);
    const b = { ...a, remindAfterMs: null, pendingTimeoutMs: 3_600_000, autoApproveExtensions: 3 };
    expect(strictest([a, b])).toMatchObject({
      remindAfterMs: 3_600_000,
      pendingTimeoutMs: 3_600_000,
      autoApproveExtensions: 0,
    });
  });
});

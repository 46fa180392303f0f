import { FakeClock } from '../../common/testing/fake-clock';
import { resolveTimePolicy } from '../../policy/time-policy';
import { RequestEntity } from '../request.entity';
import { extensionVerdict, type ExtensionOf } from './extension-policy';

const HOUR = 3_600_000;

describe('extensionVerdict (fake clock)', () => {
  const clock = new FakeClock(new Date('2026-12-01T08:00:00Z'));
  const time = {
    ...resolveTimePolicy(undefined, { requiredApprovals: 1, maxDuration: 'PT8H', requireTicket: false }, 8 * HOUR),
    maxTotalDurationMs: 12 * HOUR,
    autoApproveExtensions: 2,
  };
  const original = Object.assign(new RequestEntity(), {
    id: 'g1',
    appliedAt: '2026-12-01T08:00:00.000Z',
    expiresAt: '2026-12-01T16:00:00.000Z',
  });
  const of = (prior: number, mayAutoApprove = true): ExtensionOf => ({
    original,
    priorAutoApproved: prior,
    mayAutoApprove,
  });

  it('moves the expiry from the current one, within maxTotalDuration, and approves up to N itself', () => {
    const verdict = extensionVerdict(of(0), 4 * HOUR, time, clock.now());
    expect(verdict).toEqual({ reasons: [], autoApprove: true, expiresAt: new Date('2026-12-01T20:00:00.000Z') });
    expect(extensionVerdict(of(1), 4 * HOUR, time, clock.now()).autoApprove).toBe(true);
    expect(extensionVerdict(of(2), 4 * HOUR, time, clock.now()).autoApprove).toBe(false); // the third needs a human
    expect(extensionVerdict(of(0, false), 4 * HOUR, time, clock.now()).autoApprove).toBe(false); // not the requester
  });

  it('refuses an extension beyond maxTotalDuration (counted from the apply)', () => {
    const verdict = extensionVerdict(of(0), 4 * HOUR + 1000, time, clock.now());
    expect(verdict.autoApprove).toBe(false);
    expect(verdict.reasons[0]).toMatch(/maxTotalDuration of 12 hour\(s\)/);
  });

  it('after the expiry has passed, counts from now', () => {
    clock.set('2026-12-01T17:00:00Z');
    const verdict = extensionVerdict(of(0), 2 * HOUR, time, clock.now());
    expect(verdict.expiresAt.toISOString()).toBe('2026-12-01T19:00:00.000Z');
    expect(extensionVerdict(of(0), 3 * HOUR + 1000, time, clock.now()).reasons).toHaveLength(1);
  });
});

import type { DomainEvent } from '../notifications/event-publisher';
import type { RequestView } from '../requests/request.view';
import { chatMentions, requesterNotice } from './requester-messages';

const alice = {
  key: 'sid:S-1-5-21-1-2-3-1104',
  kind: 'directory' as const,
  sid: 'S-1-5-21-1-2-3-1104',
  upn: 'alice@contoso.test',
  name: 'alice',
  domain: 'contoso.test',
  dn: 'CN=alice,CN=Users,DC=contoso,DC=test',
};

function event(type: string, request: Partial<RequestView>, data: Record<string, unknown> = {}): DomainEvent {
  return {
    type,
    id: `${type}:r1`,
    at: '2026-12-01T08:00:00.000Z',
    data: {
      requestId: 'r1',
      ...data,
      request: {
        id: 'r1',
        action: 'grant',
        status: 'applied',
        requesterName: 'ticketing',
        requestedBy: { id: 'apikey:1', via: 'api-key', person: null },
        requestedForPerson: null,
        expiresAt: '2026-12-01T10:00:00.000Z',
        startsAt: null,
        result: null,
        ...request,
      } as RequestView,
    },
  };
}

describe('requester notices in chat', () => {
  const slack = { users: { U0ALICE: { user: 'alice@contoso.test', roles: ['requester'] }, U0BOB: { roles: [] } } };

  it('mentions the chat user who filed it, and the chat users linked to the requester or the person it is for', () => {
    expect(
      chatMentions(event('request.applied', { requestedBy: { id: 'slack:U0CHAT', via: 'chat', person: null } }), slack),
    ).toEqual(['U0CHAT']);
    expect(chatMentions(event('request.applied', { requestedForPerson: alice }), slack)).toEqual(['U0ALICE']);
    expect(chatMentions(event('request.applied', {}), slack)).toEqual([]); // an API key nobody's chat user maps to
  });

  it('says what happened, naming the requester (a mention, else the name); other events are no notice', () => {
    expect(requesterNotice(event('request.timed_out', { status: 'timedOut' }), [])).toBe(
      ':zzz: Request r1 timed out: nobody decided in time. File it again if it is still needed. (ticketing)',
    );
    expect(
      requesterNotice(event('grant.expiring', {}, { lead: 'PT10M', expiresAt: '2026-12-01T10:00:00.000Z' }), [
        'U0ALICE',
      ]),
    ).toBe(
      ':hourglass_flowing_sand: The grant of request r1 expires at 2026-12-01T10:00:00.000Z (in PT10M). To keep it: `extend r1 for <duration> because <why>`. (<@U0ALICE>)',
    );
    for (const type of ['request.approved', 'request.rejected', 'request.applied', 'request.failed', 'request.expired'])
      expect(requesterNotice(event(type, {}), [])).toContain('r1');
    expect(requesterNotice(event('request.created', { status: 'pending' }), [])).toBeUndefined();
  });
});

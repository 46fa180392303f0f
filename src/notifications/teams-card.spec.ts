import { TEAMS_EVENTS } from '../config/sections/console';
import type { RequestView } from '../requests/request.view';
import { adaptiveCardProblems } from '../../test/support/adaptive-card';
import type { DomainEvent } from './event-publisher';
import { plainText, teamsCardFor, teamsMessageFor } from './teams-card';

const request = {
  id: '7c0e2f5e-0000-4000-8000-000000000015',
  status: 'pending',
  action: 'grant',
  targets: [
    {
      dn: 'CN=SERVERC,OU=Servers,DC=contoso,DC=test',
      sid: 'S-1-5-21-1-2-3-1104',
      samAccountName: 'SERVERC$',
      domain: 'contoso.test',
    },
  ],
  principals: [
    {
      dn: 'CN=SERVERB,OU=Servers,DC=contoso,DC=test',
      sid: 'S-1-5-21-1-2-3-1103',
      samAccountName: 'SERVERB$',
      domain: 'contoso.test',
    },
  ],
  requester: 'oidc:rita',
  requesterName: 'rita.requester',
  requestedFor: null,
  requestedForPerson: null,
  justification: 'Web front-end reaches the share [click here](https://evil.example) **now**',
  ticket: { system: 'ServiceNow', id: 'CHG0015', url: 'https://tickets.example/CHG0015' },
  expiresAt: '2026-12-01T17:00:00.000Z',
  startsAt: null,
  requiredApprovals: 1,
  approvals: [],
  createdAt: '2026-12-01T09:00:00.000Z',
  result: null,
  nextSteps: [],
} as unknown as RequestView;

const event = (
  type: string,
  overrides: Partial<RequestView> = {},
  data: Record<string, unknown> = {},
): DomainEvent => ({
  type,
  id: `${type}:${request.id}`,
  at: '2026-12-01T09:00:01.000Z',
  data: { requestId: request.id, ...data, request: { ...request, ...overrides } },
});

const facts = (card: Record<string, unknown>) =>
  Object.fromEntries(
    (
      (card.body as { type: string; facts?: { title: string; value: string }[] }[]).find((b) => b.type === 'FactSet')
        ?.facts ?? []
    ).map((f) => [f.title, f.value]),
  );

describe('Teams Adaptive Cards', () => {
  it('a new pending request: everything an approver needs, the policy reasons, Open in console at the inbox', () => {
    const card = teamsCardFor(
      event('request.created', {}, { policy: { reasons: ['policy defaults (no rule matched)'] } }),
      'https://rbcd.example',
    );
    expect(adaptiveCardProblems(card)).toEqual([]);
    expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
    const f = facts(card);
    expect(f.Target).toContain('SERVERC$');
    expect(f.Principal).toContain('SERVERB$');
    expect(f.Requester).toBe('rita\\.requester');
    expect(f.Duration).toContain('8 h, until 2026\\-12\\-01T17:00:00\\.000Z');
    expect(f.Ticket).toBe('ServiceNow CHG0015');
    expect(JSON.stringify(card.body)).toContain('policy defaults \\\\(no rule matched\\\\)');
    expect(card.actions).toEqual([
      { type: 'Action.OpenUrl', title: 'Open in console', url: `https://rbcd.example/#/inbox/${request.id}` },
      { type: 'Action.OpenUrl', title: 'Open ticket', url: 'https://tickets.example/CHG0015' },
    ]);
  });

  it("people's text stays text: no link or emphasis from a justification", () => {
    const f = facts(teamsCardFor(event('request.created'), 'https://rbcd.example'));
    expect(f.Justification).toBe(
      'Web front\\-end reaches the share \\[click here\\]\\(https://evil\\.example\\) \\*\\*now\\*\\*',
    );
    expect(plainText('a_b')).toBe('a\\_b');
  });

  it('every event Teams is told of gives a valid card; outcomes open the request page', () => {
    for (const type of TEAMS_EVENTS) {
      const card = teamsCardFor(
        event(
          type,
          {
            status: type === 'request.created' ? 'pending' : 'rejected',
            approvals: [
              {
                approver: 'oidc:adam',
                approverName: 'adam.approver',
                decision: 'reject',
                comment: 'no ticket',
                createdAt: '2026-12-01T09:05:00.000Z',
              },
            ] as unknown as RequestView['approvals'],
            result: type === 'request.failed' ? { targets: [], error: { code: 'X', message: 'DC refused' } } : null,
          } as Partial<RequestView>,
          type === 'request.rejected' ? { decision: { by: 'adam', comment: 'no ticket' } } : {},
        ),
        'https://rbcd.example',
      );
      expect([type, adaptiveCardProblems(card)]).toEqual([type, []]);
      const open = (card.actions as { url: string }[])[0].url;
      expect(open).toBe(
        ['request.created', 'request.reminder', 'request.escalated'].includes(type)
          ? `https://rbcd.example/#/inbox/${request.id}`
          : `https://rbcd.example/#/requests/${request.id}`,
      );
    }
  });

  it('a decision carries its comment; the policy block says how many approvals are needed', () => {
    const rejected = teamsCardFor(
      event('request.rejected', { status: 'rejected' }, { decision: { by: 'adam', comment: 'no ticket' } }),
      'https://x',
    );
    expect(JSON.stringify(rejected.body)).toContain('adam: \\"no ticket\\"');
    const created = teamsCardFor(
      event('request.created', {}, { policy: { reasons: [], requiredApprovals: 2 } }),
      'https://x',
    );
    expect(JSON.stringify(created.body)).toContain('Needs 2 approval\\\\(s\\\\)');
  });

  it('the message a Teams webhook takes: the card as an adaptive-card attachment', () => {
    const message = teamsMessageFor(event('request.reminder'), 'https://rbcd.example');
    expect(message).toMatchObject({
      type: 'message',
      attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: { type: 'AdaptiveCard' } }],
    });
  });

  it('the check itself catches a broken card (negative control)', () => {
    const card = teamsCardFor(event('request.created'), 'https://rbcd.example');
    expect(adaptiveCardProblems({ ...card, version: '1.2' })).toContain('version 1.2 is older than 1.4');
    expect(adaptiveCardProblems({ ...card, body: [{ type: 'NoSuchElement' }] }).join()).toMatch(/NoSuchElement/);
    expect(adaptiveCardProblems({ ...card, type: 'Card' }).join()).toMatch(/schema/);
  });
});

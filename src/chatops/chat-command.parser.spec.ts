import { parseChatCommand, parseChatDuration, splitIdentifiers, unescapeSlack } from './chat-command.parser';

const ID = '3f2b8c1e-9a4d-4e1f-8b2a-0c5d6e7f8a9b';

function ok(text: string) {
  const result = parseChatCommand(text);
  if (!result.ok) throw new Error(`expected "${text}" to parse, got: ${result.error}`);
  return result.command;
}

function error(text: string): string {
  const result = parseChatCommand(text);
  if (result.ok) throw new Error(`expected "${text}" to be refused, got ${JSON.stringify(result.command)}`);
  return result.error;
}

describe('parseChatCommand', () => {
  it('parses a full grant: principal, targets, duration, justification, ticket', () => {
    expect(
      ok('grant SERVERB$ -> SERVERC, SERVERD for 8h because admins manage them from the jump box ticket CHG0012345'),
    ).toEqual({
      kind: 'grant',
      principals: ['SERVERB$'],
      targets: ['SERVERC', 'SERVERD'],
      duration: 'PT8H',
      justification: 'admins manage them from the jump box',
      ticket: 'CHG0012345',
    });
  });

  it('parses breakglass like a grant, and refuses it without a ticket', () => {
    expect(ok('breakglass SERVERB$ -> SERVERC for 2h because backups fail at night ticket INC-42')).toEqual({
      kind: 'breakglass',
      principals: ['SERVERB$'],
      targets: ['SERVERC'],
      duration: 'PT2H',
      justification: 'backups fail at night',
      ticket: 'INC-42',
    });
    expect(parseChatCommand('breakglass SERVERB$ -> SERVERC for 2h because backups fail')).toEqual({
      ok: false,
      error: expect.stringMatching(/needs a ticket/),
    });
    expect(parseChatCommand('breakglass SERVERB$ SERVERC')).toEqual({
      ok: false,
      error: expect.stringMatching(/^Usage: breakglass/),
    });
  });

  it('parses a grant as Slack sends it (-&gt; escaped, host names wrapped as links)', () => {
    expect(
      ok('grant SERVERB$ -&gt; <http://serverc.contoso.test|serverc.contoso.test> because R&amp;D needs it'),
    ).toEqual({
      kind: 'grant',
      principals: ['SERVERB$'],
      targets: ['serverc.contoso.test'],
      justification: 'R&D needs it',
    });
  });

  it('keeps the commas of DNs together and accepts the unicode arrow', () => {
    expect(ok('GRANT CONTOSO\\SERVERB$ → CN=SERVERC,OU=Servers,DC=contoso,DC=test, SERVERD because x')).toMatchObject({
      principals: ['CONTOSO\\SERVERB$'],
      targets: ['CN=SERVERC,OU=Servers,DC=contoso,DC=test', 'SERVERD'],
    });
  });

  it('keeps "for" and "ticket" words inside the justification', () => {
    expect(ok('grant A$ -> B because needed for the ticket migration for now')).toMatchObject({
      justification: 'needed for the ticket migration for now',
    });
    expect(ok('grant A$ -> B because needed ticket INC1')).toMatchObject({ justification: 'needed', ticket: 'INC1' });
  });

  it('refuses grants without arrow, justification or with a bad duration', () => {
    expect(error('grant SERVERB$ SERVERC because x')).toMatch(/^Usage: grant/);
    expect(error('grant SERVERB$ -> SERVERC')).toMatch(/^Usage: grant/);
    expect(error('grant SERVERB$ -> SERVERC because ')).toMatch(/^Usage: grant/);
    expect(error('grant -> SERVERC because x')).toMatch(/^Usage: grant/);
    expect(error('grant SERVERB$ -> SERVERC for ever because x')).toMatch(/"ever" is not a duration/);
  });

  it('parses revoke as a revoke request, or with a request id as ending a grant', () => {
    expect(ok('revoke SERVERB$ -> SERVERC because no longer needed')).toEqual({
      kind: 'revoke',
      principals: ['SERVERB$'],
      targets: ['SERVERC'],
      justification: 'no longer needed',
    });
    expect(ok(`revoke ${ID.toUpperCase()} done early`)).toEqual({
      kind: 'revoke-grant',
      id: ID,
      comment: 'done early',
    });
    expect(ok(`revoke ${ID}`)).toEqual({ kind: 'revoke-grant', id: ID });
    expect(error('revoke SERVERB$ -> SERVERC for 1h because x')).toBe('A revoke takes no duration');
  });

  it('parses show, status, approve, reject, cancel and help', () => {
    expect(ok('show SERVERC')).toEqual({ kind: 'show', target: 'SERVERC' });
    expect(ok('show CN=SERVERC, OU=Servers,DC=contoso,DC=test')).toEqual({
      kind: 'show',
      target: 'CN=SERVERC, OU=Servers,DC=contoso,DC=test',
    });
    expect(ok(`status ${ID}`)).toEqual({ kind: 'status', id: ID });
    expect(ok(`approve ${ID}`)).toEqual({ kind: 'approve', id: ID });
    expect(ok(`approve ${ID} looks fine`)).toEqual({ kind: 'approve', id: ID, comment: 'looks fine' });
    expect(ok(`reject ${ID} not on a change window`)).toEqual({
      kind: 'reject',
      id: ID,
      reason: 'not on a change window',
    });
    expect(ok(`cancel ${ID}`)).toEqual({ kind: 'cancel', id: ID });
    expect(ok('help')).toEqual({ kind: 'help' });
    expect(ok('   ')).toEqual({ kind: 'help' });
  });

  it('refuses malformed reads and decisions with the usage line', () => {
    expect(error('show')).toBe('Usage: show <target>');
    expect(error('show two words')).toBe('Usage: show <target>');
    expect(error('status 42')).toBe('Usage: status <request id>');
    expect(error(`status ${ID} extra`)).toBe('Usage: status <request id>');
    expect(error('approve')).toMatch(/^Usage: approve/);
    expect(error(`reject ${ID}`)).toBe('Usage: reject <request id> <reason>');
    expect(error('frobnicate x')).toBe('Unknown command "frobnicate". Try: help');
  });
});

describe('scheduled grants in chat', () => {
  it('parses `from <date-time>` before or after the duration, normalised to UTC', () => {
    const forms = [
      'grant SERVERB$ -> SERVERC from 2026-12-02T22:00Z for 4h because maintenance window',
      'grant SERVERB$ -> SERVERC for 4h from 2026-12-02T23:00+01:00 because maintenance window',
    ];
    for (const text of forms) {
      expect(parseChatCommand(text)).toEqual({
        ok: true,
        command: {
          kind: 'grant',
          principals: ['SERVERB$'],
          targets: ['SERVERC'],
          duration: 'PT4H',
          startsAt: '2026-12-02T22:00:00.000Z',
          justification: 'maintenance window',
        },
      });
    }
  });

  it('refuses a start without a zone, one that is no date, and a scheduled revoke', () => {
    expect(parseChatCommand('grant A$ -> B from 2026-12-02T22:00 because x')).toMatchObject({ ok: false });
    expect(parseChatCommand('grant A$ -> B from tomorrow because x')).toMatchObject({
      ok: false,
      error: expect.stringContaining('is not a date-time'),
    });
    expect(parseChatCommand('revoke A$ -> B from 2026-12-02T22:00Z because x')).toMatchObject({ ok: false });
  });
});

describe('extend in chat', () => {
  it('parses `extend <id> for <duration> because <why>`', () => {
    const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
    expect(parseChatCommand(`extend ${id} for 4h because the patching ran over`)).toEqual({
      ok: true,
      command: { kind: 'extend', id, duration: 'PT4H', justification: 'the patching ran over' },
    });
  });

  it('refuses an extend without id, duration or reason', () => {
    const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
    for (const text of [`extend ${id} because x`, `extend ${id} for 4h`, 'extend abc for 4h because x'])
      expect(parseChatCommand(text)).toMatchObject({ ok: false, error: expect.stringContaining('Usage: extend') });
    expect(parseChatCommand(`extend ${id} for soon because x`)).toMatchObject({
      ok: false,
      error: expect.stringContaining('is not a duration'),
    });
  });
});

describe('parseChatDuration', () => {
  it.each([
    ['8h', 'PT8H'],
    ['30m', 'PT30M'],
    ['1h30m', 'PT1H30M'],
    ['1h 30m', 'PT1H30M'],
    ['2d', 'P2D'],
    ['1w', 'P7D'],
    ['8 hours', 'PT8H'],
    ['2 days 4 hrs', 'P2DT4H'],
    ['pt8h', 'PT8H'],
    ['P1DT2H', 'P1DT2H'],
  ])('%s → %s', (input, expected) => {
    expect(parseChatDuration(input)).toBe(expected);
  });

  it.each(['', 'ever', '8', 'h', '0h', 'P', 'PT', '8h because', '-1h'])('refuses %j', (input) => {
    expect(parseChatDuration(input)).toBeUndefined();
  });
});

describe('helpers', () => {
  it('unescapes Slack text', () => {
    expect(unescapeSlack('<mailto:alice@contoso.test|alice@contoso.test> &lt;x&gt; <https://a.b>')).toBe(
      'alice@contoso.test <x> https://a.b',
    );
  });

  it('splits identifiers on commas and spaces, not inside DNs', () => {
    expect(splitIdentifiers('A, B C,CN=X,OU=Y,DC=z, D')).toEqual(['A', 'B', 'C', 'CN=X,OU=Y,DC=z', 'D']);
  });
});

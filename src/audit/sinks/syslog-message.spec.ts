import { eventHash, GENESIS_HASH } from '../audit-hash';
import type { AuditEventView } from '../audit.types';
import { hecBatch } from './hec-payload';
import { cefBody, jsonBody, octetFrame, parseCefEvent, syslogMessage } from './syslog-message';

function event(fields: Partial<AuditEventView> = {}): AuditEventView {
  const base = {
    seq: 7,
    id: '0b5a3c2e-1111-4222-8333-444455556666',
    at: '2026-12-01T05:00:00.123Z',
    actor: 'apikey:ci',
    type: 'request.created',
    requestId: null,
    target: 'CN=SERVERC,OU=Servers,DC=contoso,DC=test',
    data: { a: 1 },
    ...fields,
  };
  return { ...base, prevHash: GENESIS_HASH, hash: eventHash(GENESIS_HASH, base) };
}

describe('audit events as syslog and HEC messages', () => {
  it('RFC 5424 header and structured data carry seq, hash and prevHash; the JSON body is the stored event', () => {
    const e = event();
    const message = syslogMessage(e, 'json', 'broker-1', '1');
    expect(message).toBe(
      `<109>1 2026-12-01T05:00:00.123Z broker-1 rbcd-broker - request.created [rbcd@32473 seq="7" hash="${e.hash}" prevHash="${e.prevHash}" id="${e.id}"] ${jsonBody(e)}`,
    );
    expect(JSON.parse(jsonBody(e))).toEqual(e);
    expect(syslogMessage(e, 'json', 'a host', '1')).toContain(' a_host rbcd-broker ');
  });

  it('octet counting counts bytes, not characters', () => {
    const frame = octetFrame('ünï 😀');
    expect(frame.toString('utf8')).toBe(`${Buffer.byteLength('ünï 😀')} ünï 😀`);
    expect(frame.toString('utf8').startsWith('10 ')).toBe(true);
  });

  it('CEF carries every hashed field and reads back to the same event, whatever the characters', () => {
    const tricky = event({
      actor: 'oidc:a=b|c\\d',
      target: 'CN=x\\, y=z|w',
      requestId: 'r-1',
      data: { text: 'line1\nline2\r= | \\ ]', n: [1, { z: null }] },
      type: 'request.failed',
    });
    const body = cefBody(tricky, '1');
    expect(body.startsWith('CEF:0|rbcd|rbcd-broker|1|request.failed|request.failed|7|rt=')).toBe(true);
    expect(body).not.toMatch(/[\r\n]/);
    const back = parseCefEvent(body);
    expect(back).toEqual(tricky);
    expect(eventHash(back.prevHash, back)).toBe(tricky.hash);
    expect(parseCefEvent(cefBody(event(), '1'))).toEqual(event());
    expect(() => parseCefEvent('not cef')).toThrow();
  });

  it('HEC batches: one JSON object per event with the stored event and its time', () => {
    const lines = hecBatch([event(), event({ seq: 8 })], {
      host: 'h',
      source: 'rbcd-broker',
      sourcetype: 'rbcd:audit',
      index: 'sec',
    }).split('\n');
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0])).toEqual({
      time: 1796101200.123,
      host: 'h',
      source: 'rbcd-broker',
      sourcetype: 'rbcd:audit',
      index: 'sec',
      event: event(),
    });
  });
});

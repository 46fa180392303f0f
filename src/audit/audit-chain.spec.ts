import { ChainVerifier, verifyJsonLines } from './audit-chain';
import { eventHash, GENESIS_HASH } from './audit-hash';
import type { AuditEventView } from './audit.types';

function chain(n: number): AuditEventView[] {
  const events: AuditEventView[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const fields = {
      seq,
      id: `id-${seq}`,
      at: `2026-12-01T00:00:0${seq % 10}.000Z`,
      actor: 'apikey:ci',
      type: 'request.created',
      requestId: null,
      target: `CN=S${seq}`,
      data: { n: seq, nested: { b: 1, a: [1, 'x'] } },
    };
    const event = { ...fields, prevHash, hash: eventHash(prevHash, fields) };
    events.push(event);
    prevHash = event.hash;
  }
  return events;
}
const lines = (events: unknown[]) => events.map((e) => JSON.stringify(e));

describe('the hash chain, checked offline', () => {
  it('accepts an intact export from event 1, anchored on the genesis hash', () => {
    expect(verifyJsonLines(lines(chain(5)))).toEqual({
      ok: true,
      events: 5,
      firstSeq: 1,
      lastSeq: 5,
      anchor: GENESIS_HASH,
    });
  });

  it('accepts a partial export anchored on its first prevHash, and a pinned anchor that matches', () => {
    const events = chain(6);
    expect(verifyJsonLines(lines(events.slice(2)))).toMatchObject({
      ok: true,
      events: 4,
      firstSeq: 3,
      anchor: events[1].hash,
    });
    expect(verifyJsonLines(lines(events.slice(2)), { anchor: events[1].hash }).ok).toBe(true);
    expect(verifyJsonLines(lines(events.slice(2)), { anchor: events[0].hash })).toMatchObject({
      ok: false,
      firstBadSeq: 3,
    });
  });

  it('names the first altered event (a changed field, a changed data value, a changed key order does not matter)', () => {
    const events = chain(5);
    const reordered = { ...events[1], data: { nested: { a: [1, 'x'], b: 1 }, n: 2 } };
    expect(verifyJsonLines(lines([events[0], reordered, ...events.slice(2)])).ok).toBe(true);
    const tampered = { ...events[2], actor: 'apikey:someone-else' };
    expect(verifyJsonLines(lines([events[0], events[1], tampered, events[3]]))).toMatchObject({
      ok: false,
      events: 2,
      firstBadSeq: 3,
      reason: 'event 3 was altered after it was written',
    });
    const dataTampered = { ...events[3], data: { ...events[3].data, n: 99 } };
    expect(verifyJsonLines(lines([...events.slice(0, 3), dataTampered]))).toMatchObject({ ok: false, firstBadSeq: 4 });
  });

  it('names a removed, repeated or re-linked event', () => {
    const events = chain(5);
    expect(verifyJsonLines(lines([events[0], events[2]]))).toMatchObject({
      ok: false,
      firstBadSeq: 2,
      reason: 'event 2 is missing (next is 3)',
    });
    expect(verifyJsonLines(lines([events[0], events[1], events[1]]))).toMatchObject({ ok: false, firstBadSeq: 2 });
    // Rehashed after a change, but the next event still points at the original: the link breaks there.
    const fields = { ...events[1], actor: 'forged' };
    const forged = { ...fields, hash: eventHash(fields.prevHash, fields) };
    expect(verifyJsonLines(lines([events[0], forged, events[2]]))).toMatchObject({
      ok: false,
      firstBadSeq: 3,
      reason: 'event 3 does not link to the event before it',
    });
  });

  it('refuses lines that are not events, naming where', () => {
    const events = chain(2);
    expect(verifyJsonLines([...lines(events), '{not json'])).toMatchObject({
      ok: false,
      events: 2,
      firstBadSeq: 3,
      reason: 'line 3 is not JSON',
    });
    expect(verifyJsonLines([JSON.stringify({ seq: 1, hash: 'x' })])).toMatchObject({ ok: false, firstBadSeq: 1 });
    expect(verifyJsonLines(['[]'])).toMatchObject({ ok: false, events: 0 });
    expect(verifyJsonLines([])).toEqual({ ok: true, events: 0 });
  });

  it('from genesis, a chain that does not start at event 1 is broken at 1', () => {
    const verifier = new ChainVerifier({ fromGenesis: true });
    verifier.push(chain(3)[1]);
    expect(verifier.result()).toMatchObject({ ok: false, firstBadSeq: 1 });
  });

  it('with repeats allowed (a SIEM file, at least once), identical re-sent events are skipped; a changed re-send is not', () => {
    const events = chain(6);
    const received = [...events.slice(0, 4), ...events.slice(2, 6)];
    expect(verifyJsonLines(lines(received))).toMatchObject({ ok: false, firstBadSeq: 3 });
    expect(verifyJsonLines(lines(received), { allowRepeats: true })).toEqual({
      ok: true,
      events: 6,
      firstSeq: 1,
      lastSeq: 6,
      anchor: GENESIS_HASH,
      repeats: 2,
    });
    const changed = [...events.slice(0, 4), { ...events[2], actor: 'x' }, ...events.slice(4)];
    expect(verifyJsonLines(lines(changed), { allowRepeats: true })).toMatchObject({
      ok: false,
      firstBadSeq: 3,
      reason: 'event 3 was received again with different content',
    });
  });
});

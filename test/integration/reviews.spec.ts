// Access review campaigns (issue 14 §4) against the sandbox DC and the KDC: a snapshot of managed and
// standing entries; one standing entry kept (adopted, still allowed), one removed (revoked, refused),
// a managed grant nobody reviewed follows the default decision at dueAt (removed, refused); the
// report as JSON and CSV says who decided what and when; every decision is audited.
import { ShiftedClock } from '../../src/common/testing/shifted-clock';
import { ReviewScheduler } from '../../src/reviews/review.scheduler';
import { canDelegate, enableProtocolTransition, forgetKeytab } from '../support/kerberos';
import { createOu, setRbcdByLdapmodify } from '../support/ldapmodify';
import { createComputer, type CreatedComputer, deleteObject, uniqueName } from '../support/sandbox';
import type { TestApp, TestDatabase } from '../support/test-app';
import { actors, type Actors, drainJobs, grantApproved, issueKey, sandboxApp } from '../support/workflow';

interface Item {
  id: string;
  kind: string;
  target: { sid: string };
  principal: { sid: string };
  decision: string | null;
  decidedBy: string | null;
  decidedVia: string | null;
  followUpRequestId: string | null;
  nextReviewAt: string | null;
}

describe.each<TestDatabase>(['sqlite', 'postgres'])('access reviews on %s', (database) => {
  let t: TestApp;
  let who: Actors;
  let reviewer: Record<string, string>;
  let ou: string;
  let frontEnd: CreatedComputer;
  const backEnds: Record<'keep' | 'remove' | 'managed', { computer: CreatedComputer; spn: string }> = {} as never;
  const created: CreatedComputer[] = [];
  // The due date is ten minutes out and the clock jumps over it: a busy machine cannot reach it early.
  const clock = new ShiftedClock();

  beforeAll(async () => {
    ou = await createOu(`OU=${uniqueName('REV')},OU=Servers,DC=contoso,DC=test`);
    frontEnd = await createComputer(uniqueName('RF'), { ou });
    await enableProtocolTransition(frontEnd.samAccountName);
    created.push(frontEnd);
    for (const role of ['keep', 'remove', 'managed'] as const) {
      const name = uniqueName(`R${role[0].toUpperCase()}`);
      const spn = `cifs/${name.toLowerCase()}.contoso.test`;
      const computer = await createComputer(name, { ou, spns: [spn] });
      backEnds[role] = { computer, spn };
      created.push(computer);
    }
    t = await sandboxApp({ database, clock });
    who = await actors(t);
    reviewer = await issueKey(t, 'reviewer', ['approver']);
    await setRbcdByLdapmodify(backEnds.keep.computer.dn, [frontEnd.sid]);
    await setRbcdByLdapmodify(backEnds.remove.computer.dn, [frontEnd.sid]);
    await grantApproved(t, who, {
      targets: [backEnds.managed.computer.dn],
      principals: [frontEnd.sid],
      duration: 'PT1H',
    });
    await drainJobs(t);
  });

  afterAll(async () => {
    await t?.close();
    for (const c of created) await deleteObject(c.dn).catch(() => undefined);
    if (ou) await deleteObject(ou).catch(() => undefined);
    if (frontEnd) await forgetKeytab(frontEnd.samAccountName);
  });

  const oracle = (role: 'keep' | 'remove' | 'managed') =>
    canDelegate({ frontEnd: frontEnd.samAccountName, user: 'alice', spn: backEnds[role].spn });
  const approve = async (id: string) => {
    await t.http().post(`/api/v1/requests/${id}/approve`).set(who.approver2).send({}).expect(200);
  };

  it('one kept, one removed, the default at dueAt, and the report', async () => {
    for (const role of ['keep', 'remove', 'managed'] as const) expect((await oracle(role)).allowed).toBe(true);

    // Refused: a due date in the past, no reviewers, a requester opening one.
    const dueAt = new Date(clock.now().getTime() + 600_000).toISOString();
    const open = (headers: Record<string, string>, body: Record<string, unknown>) =>
      t
        .http()
        .post('/api/v1/reviews')
        .set(headers)
        .send({ scope: [ou], reviewers: ['role:approver'], dueAt, defaultDecision: 'remove', ...body });
    expect((await open(reviewer, { dueAt: '2020-01-01T00:00:00Z' }).expect(400)).body.error.code).toBe(
      'VALIDATION_FAILED',
    );
    await open(reviewer, { reviewers: [] }).expect(400);
    await open(who.requester, {}).expect(403);

    const opened = await open(reviewer, { nextReviewIn: 'P30D' }).expect(201);
    const campaign = opened.body;
    expect(campaign).toMatchObject({ status: 'open', counts: { total: 3, managed: 1, standing: 2, undecided: 3 } });
    const itemOf = (role: 'keep' | 'remove' | 'managed') =>
      (campaign.items as Item[]).find((i) => i.target.sid === backEnds[role].computer.sid) as Item;
    expect(itemOf('managed').kind).toBe('managed');
    expect(itemOf('keep').kind).toBe('standing');

    const decide = (headers: Record<string, string>, item: Item, body: Record<string, unknown>) =>
      t.http().post(`/api/v1/reviews/${campaign.id}/items/${item.id}/decision`).set(headers).send(body);
    // Refused: not a reviewer; no comment; not a decision.
    expect(
      (await decide(who.requester, itemOf('keep'), { decision: 'keep', comment: 'x' }).expect(403)).body.error.code,
    ).toBe('FORBIDDEN');
    await decide(reviewer, itemOf('keep'), { decision: 'keep', comment: '' }).expect(400);
    await decide(reviewer, itemOf('keep'), { decision: 'maybe', comment: 'x' }).expect(400);

    const kept = await decide(reviewer, itemOf('keep'), {
      decision: 'keep',
      comment: 'backup hop, owner confirmed',
    }).expect(201);
    expect(kept.body).toMatchObject({ decision: 'keep', decidedBy: 'apikey:reviewer', decidedVia: 'reviewer' });
    expect(Date.parse(kept.body.nextReviewAt)).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    const removed = await decide(reviewer, itemOf('remove'), {
      decision: 'remove',
      comment: '=HYPERLINK("http://evil") nobody knows this one',
    }).expect(201);
    expect(
      (await decide(reviewer, itemOf('keep'), { decision: 'remove', comment: 'again' }).expect(409)).body.error.code,
    ).toBe('INVALID_STATE');

    // The follow-ups go through approval like any request (never by the reviewer who filed them).
    const adopt = (await t.http().get(`/api/v1/requests/${kept.body.followUpRequestId}`).set(who.approver).expect(200))
      .body;
    expect(adopt).toMatchObject({
      action: 'adopt',
      status: 'pending',
      standing: true,
      nextReviewAt: kept.body.nextReviewAt,
    });
    const revoke = (
      await t.http().get(`/api/v1/requests/${removed.body.followUpRequestId}`).set(who.approver).expect(200)
    ).body;
    expect(revoke).toMatchObject({ action: 'revoke', status: 'pending' });
    await t.http().post(`/api/v1/requests/${adopt.id}/approve`).set(reviewer).send({}).expect(403);
    await approve(adopt.id);
    await approve(revoke.id);
    await drainJobs(t);
    expect((await oracle('keep')).allowed).toBe(true); // kept: adopted, still in force
    expect((await oracle('remove')).allowed).toBe(false); // removed
    const standing = await t
      .http()
      .get(`/api/v1/standing?base=${encodeURIComponent(ou)}`)
      .set(who.requester)
      .expect(200);
    expect(standing.body.items).toEqual([]); // the kept entry is managed now

    // dueAt: the undecided managed grant follows defaultDecision (remove).
    expect(await t.app.get(ReviewScheduler).closeDue()).toBe(0);
    clock.passTo(campaign.dueAt);
    expect(await t.app.get(ReviewScheduler).closeDue()).toBe(1);
    const closed = (await t.http().get(`/api/v1/reviews/${campaign.id}`).set(reviewer).expect(200)).body;
    expect(closed).toMatchObject({ status: 'closed', counts: { keep: 1, remove: 2, undecided: 0 } });
    const byDefault = (closed.items as Item[]).find((i) => i.target.sid === backEnds.managed.computer.sid) as Item;
    expect(byDefault).toMatchObject({ decision: 'remove', decidedVia: 'default', decidedBy: 'system:access-review' });
    await approve(byDefault.followUpRequestId as string);
    await drainJobs(t);
    expect((await oracle('managed')).allowed).toBe(false);
    await decide(reviewer, byDefault, { decision: 'keep', comment: 'too late' }).expect(409);

    // The report: JSON and CSV (a formula in a comment is defused).
    const auditor = await issueKey(t, 'review-auditor', ['auditor']);
    const json = (await t.http().get(`/api/v1/reviews/${campaign.id}/report`).set(auditor).expect(200)).body;
    expect(json.items).toHaveLength(3);
    const csv = await t.http().get(`/api/v1/reviews/${campaign.id}/report.csv`).set(reviewer).expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toMatch(/^campaignId,itemId,kind,target,/);
    expect(lines).toHaveLength(4);
    expect(csv.text).toContain('apikey:reviewer');
    expect(csv.text).toContain('system:access-review');
    expect(csv.text).toContain(`"'=HYPERLINK(""http://evil"") nobody knows this one"`);

    const audit = await t.http().get('/api/v1/audit?limit=200').set(t.admin).expect(200);
    const reviewEvents = (audit.body.items as { type: string; data: { campaignId?: string } }[]).filter(
      (e) => e.type.startsWith('review.') && e.data.campaignId === campaign.id,
    );
    expect(reviewEvents.map((e) => e.type).sort()).toEqual([
      'review.closed',
      'review.decision',
      'review.decision',
      'review.decision',
      'review.opened',
    ]);
  });

  it('GraphQL: open a campaign, read it, decide an entry', async () => {
    await setRbcdByLdapmodify(backEnds.remove.computer.dn, [frontEnd.sid]);
    const opened = await t
      .http()
      .post('/graphql')
      .set(reviewer)
      .send({
        query: `mutation($input: OpenReviewInput!) { openReview(input: $input) { id counts { total standing managed } items { id kind } } }`,
        variables: {
          input: {
            scope: [ou],
            reviewers: ['apikey:reviewer'],
            dueAt: new Date(clock.now().getTime() + 3600_000).toISOString(),
            defaultDecision: 'keep',
          },
        },
      })
      .expect(200);
    expect(opened.body.errors).toBeUndefined();
    const campaign = opened.body.data.openReview;
    expect(campaign.counts).toEqual({ total: 2, standing: 1, managed: 1 }); // kept (managed now) + re-added
    const standingItem = campaign.items.find((i: Item) => i.kind === 'standing');
    const decided = await t
      .http()
      .post('/graphql')
      .set(reviewer)
      .send({
        query: `mutation($c: String!, $i: String!) { decideReviewItem(campaignId: $c, itemId: $i, input: {decision: "remove", comment: "re-added behind our back"}) { decision followUpRequestId } }`,
        variables: { c: campaign.id, i: standingItem.id },
      })
      .expect(200);
    expect(decided.body.errors).toBeUndefined();
    expect(decided.body.data.decideReviewItem.decision).toBe('remove');
    const read = await t
      .http()
      .post('/graphql')
      .set(reviewer)
      .send({
        query: `query($id: String!) { reviewCampaign(id: $id) { status counts { remove undecided } } }`,
        variables: { id: campaign.id },
      })
      .expect(200);
    expect(read.body.data.reviewCampaign).toEqual({ status: 'open', counts: { remove: 1, undecided: 1 } });
  });
});

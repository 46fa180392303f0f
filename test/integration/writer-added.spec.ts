// Issue 10 §1, WRITER_ADDED against the real sandbox DC: the reconciler reports a target with an
// active grant that *gains* a writer outside Tier 0, compared with the writers recorded when the
// grant was applied (or at the last reconciliation). A writer that was there before the grant is
// not reported; one added after it is, once, as an audit event and a drift.detected webhook. The
// added writer is a real bypass: a plain user, refused before their ACE, writes the attribute after
// it, adding a computer of theirs, which the KDC then lets delegate to the target as anyone.
import { Attribute, Change, InsufficientAccessError } from 'ldapts';
import { AuditService } from '../../src/audit/audit.service';
import { canDelegate, enableProtocolTransition, forgetKeytab } from '../support/kerberos';
import { UnitOfWork } from '../../src/database/unit-of-work';
import { JobEntity } from '../../src/jobs/job.entity';
import {
  addAce,
  clientAs,
  createComputer,
  type CreatedComputer,
  createUser,
  deleteObject,
  findDn,
  getSid,
  RBCD_ATTRIBUTE,
  referenceRbcdDescriptor,
  uniqueName,
  withClient,
} from '../support/sandbox';
import type { TestApp } from '../support/test-app';
import { actors, drainJobs, grantApproved, sandboxApp } from '../support/workflow';

const ACCOUNT_RESTRICTIONS = '4c164200-20c0-11d0-a768-00aa006e0529';
const RBCD_ATTR_GUID = '3f78c3e5-f79a-46bd-a0b8-9d18116ddc79';
const WEBHOOK = { url: 'http://127.0.0.1:9/rbcd-hooks', events: ['drift.detected'] };

interface Finding {
  kind: string;
  code?: string;
  sid?: string;
  message: string;
}

describe.each(['sqlite', 'postgres'] as const)(
  'WRITER_ADDED: a granted target gains a writer outside Tier 0 (sandbox DC, %s)',
  (database) => {
    let t: TestApp;
    let target: CreatedComputer;
    let principal: CreatedComputer;
    let helpdeskSid: string;
    let mallory: { dn: string; sid: string; name: string; password: string };
    let trudy: { dn: string; sid: string; name: string; password: string };
    let box: CreatedComputer;
    let spn: string;

    const reconcile = async (): Promise<{ findings: Finding[] }> =>
      (await t.http().post('/api/v1/reconcile').set(t.admin).expect(200)).body;
    const writerEvents = async () =>
      (await t.app.get(AuditService).search({ type: 'drift.detected', limit: 1000 })).items.filter(
        (e) => e.data.kind === 'writer-added',
      );
    const writerWebhooks = async () =>
      (
        await t.app
          .get(UnitOfWork)
          .manager.getRepository(JobEntity)
          .find({ where: { kind: 'webhook' } })
      )
        .map((j) => j.payload.event as { type: string; data: { kind: string; code?: string; sid: string } })
        .filter((e) => e.type === 'drift.detected' && e.data.kind === 'writer-added');
    /** mallory writes the value directly, as an attacker with the right would (her own box added). */
    const malloryWrites = async (value: Buffer) => {
      await withClient(clientAs(mallory.dn, mallory.password), (c) =>
        c.modify(
          target.dn,
          new Change({ operation: 'replace', modification: new Attribute({ type: RBCD_ATTRIBUTE, values: [value] }) }),
        ),
      );
    };
    const withMalloryBox = () => referenceRbcdDescriptor([principal.sid, box.sid]);

    beforeAll(async () => {
      const targetName = uniqueName('WAT');
      spn = `cifs/${targetName.toLowerCase()}.contoso.test`;
      [target, principal, mallory, trudy, box] = await Promise.all([
        createComputer(targetName, { spns: [spn] }),
        createComputer(uniqueName('WAP')),
        createUser(uniqueName('WAU').toLowerCase()),
        createUser(uniqueName('WAV').toLowerCase()),
        createComputer(uniqueName('WAB')),
      ]);
      // mallory's own box, able to get a forwardable ticket for any user (protocol transition).
      await enableProtocolTransition(box.samAccountName);
      helpdeskSid = await getSid((await findDn('RBCD-Helpdesk')) as string);
      // Before the grant: the helpdesk may write Account Restrictions on the target.
      await addAce(target.dn, `(OA;;WP;${ACCOUNT_RESTRICTIONS};;${helpdeskSid})`);
      t = await sandboxApp({ database, config: { webhooks: [WEBHOOK] } });
      const who = await actors(t);
      const id = await grantApproved(t, who, { targets: [target.dn], principals: [principal.sid], duration: 'PT1H' });
      await drainJobs(t);
      expect((await t.http().get(`/api/v1/requests/${id}`).set(t.admin).expect(200)).body.status).toBe('applied');
    });

    afterAll(async () => {
      await t?.close();
      await Promise.all([target, principal, mallory, trudy, box].filter(Boolean).map((c) => deleteObject(c.dn)));
      if (box) await forgetKeytab(box.samAccountName);
    });

    it('negative control: before an ACE names her, a plain user cannot write the attribute, and the KDC refuses her box', async () => {
      await expect(malloryWrites(withMalloryBox())).rejects.toBeInstanceOf(InsufficientAccessError);
      expect((await canDelegate({ frontEnd: box.samAccountName, user: 'alice', spn })).allowed).toBe(false);
    });

    it('a writer added after the apply fires WRITER_ADDED; the one present before the grant does not', async () => {
      const read = await t
        .http()
        .get(`/api/v1/delegations/${encodeURIComponent(target.dn)}`)
        .set(t.admin)
        .expect(200);
      expect(read.body.writers).toEqual(
        expect.arrayContaining([expect.objectContaining({ sid: helpdeskSid, class: 'other' })]),
      );
      // Added between the apply and the first reconciliation: compared with what the apply recorded.
      await addAce(target.dn, `(OA;;WP;${RBCD_ATTR_GUID};;${mallory.sid})`);
      const report = await reconcile();
      expect(report.findings.filter((f) => f.kind === 'writer-added')).toEqual([
        expect.objectContaining({
          code: 'WRITER_ADDED',
          sid: mallory.sid,
          message: expect.stringMatching(new RegExp(`^${mallory.name} \\(WriteProperty\\), outside Tier 0`)),
        }),
      ]);
      const events = await writerEvents();
      expect(events.map((e) => [e.target, e.data.code, e.data.sid])).toEqual([
        [target.dn, 'WRITER_ADDED', mallory.sid],
      ]);
      expect((await writerWebhooks()).map((e) => [e.data.code, e.data.sid])).toEqual([['WRITER_ADDED', mallory.sid]]);

      // Recorded now: the next run does not report it again.
      expect((await reconcile()).findings.filter((f) => f.kind === 'writer-added')).toEqual([]);
      expect(await writerEvents()).toHaveLength(1);
    });

    it('a writer added after the last reconciliation fires too, compared with what that run recorded', async () => {
      await addAce(target.dn, `(OA;;WP;${ACCOUNT_RESTRICTIONS};;${trudy.sid})`);
      const report = await reconcile();
      expect(report.findings.filter((f) => f.kind === 'writer-added').map((f) => [f.code, f.sid])).toEqual([
        ['WRITER_ADDED', trudy.sid],
      ]);
      expect((await writerEvents()).map((e) => e.data.sid)).toEqual(expect.arrayContaining([mallory.sid, trudy.sid]));
      expect((await writerWebhooks()).map((e) => e.data.sid).sort()).toEqual([mallory.sid, trudy.sid].sort());
    });

    it('the added writer is a real bypass: the user adds her own box behind the broker, and the KDC lets it delegate as anyone', async () => {
      await expect(malloryWrites(withMalloryBox())).resolves.toBeUndefined();
      expect(await canDelegate({ frontEnd: box.samAccountName, user: 'alice', spn })).toMatchObject({ allowed: true });
      // The reconciler sees the entry nobody approved (drift), as it would any write behind its back.
      const report = await reconcile();
      expect(report.findings.filter((f) => f.kind === 'unexpected-ace').map((f) => f.sid)).toEqual([box.sid]);
    });
  },
);

// Issue 10 §1 against the real sandbox DC: who else can write msDS-AllowedToActOnBehalfOfOtherIdentity
// (read from nTSecurityDescriptor with the SD_FLAGS control, as the least-privilege service account).
// Fixtures (issue10_fixtures in scripts/sandbox/fixtures.py): HDWRITE01 (helpdesk WP on Account
// Restrictions), OWNED01 (owner changed to alice), IOWRITE01 (inherit-only ACE: the negative control).
import { loadSandbox } from '../support/sandbox';
import type { TestApp } from '../support/test-app';
import { sandboxApp } from '../support/workflow';

interface WriterBody {
  sid: string;
  samAccountName: string | null;
  rights: string[];
  via: string;
  class: string;
}

describe('writers of the RBCD attribute (GET /delegations/{target}, GraphQL delegation { writers })', () => {
  let t: TestApp;

  beforeAll(async () => {
    loadSandbox();
    t = await sandboxApp();
  });
  afterAll(() => t?.close());

  const read = async (target: string) =>
    (
      await t
        .http()
        .get(`/api/v1/delegations/${encodeURIComponent(target)}`)
        .set(t.admin)
        .expect(200)
    ).body;
  const byName = (writers: WriterBody[], name: string) => writers.filter((w) => w.samAccountName === name);
  const codes = (body: { warnings: { code: string }[] }) => body.warnings.map((w) => w.code);

  it('a default computer: Domain Admins and the like are tier0, the service account is service, SELF is self; only SELF is warned about', async () => {
    const body = await read('SERVERC');
    const writers = body.writers as WriterBody[];
    expect(byName(writers, 'svc-rbcd')).toEqual([
      expect.objectContaining({ class: 'service', via: 'ace', rights: ['WriteProperty'] }),
    ]);
    expect(byName(writers, 'SELF')).toEqual([
      expect.objectContaining({ sid: 'S-1-5-10', class: 'self', rights: ['WriteProperty'] }),
    ]);
    expect(byName(writers, 'Domain Admins').map((w) => w.class)).toContain('tier0');
    expect(writers.filter((w) => w.class === 'other')).toEqual([]);
    expect(codes(body)).toContain('RBCD_SELF_WRITABLE');
    expect(codes(body)).not.toContain('RBCD_WRITABLE_BY_NON_TIER0');
  });

  it('a helpdesk group with WriteProperty on Account Restrictions is an "other" writer, and the warning names it', async () => {
    const body = await read('HDWRITE01');
    expect(byName(body.writers, 'RBCD-Helpdesk')).toEqual([
      expect.objectContaining({ class: 'other', via: 'ace', rights: ['WriteProperty'], resolved: true }),
    ]);
    const warning = body.warnings.find((w: { code: string }) => w.code === 'RBCD_WRITABLE_BY_NON_TIER0');
    expect(warning.message).toMatch(/RBCD-Helpdesk \(WriteProperty\)/);
  });

  it('an owner outside Tier 0 writes it through the implicit WRITE_DAC', async () => {
    const body = await read('OWNED01');
    expect(byName(body.writers, 'alice')).toEqual([
      expect.objectContaining({ via: 'owner', rights: ['WriteDacl'], class: 'other' }),
    ]);
    expect(codes(body)).toContain('RBCD_WRITABLE_BY_NON_TIER0');
  });

  it('negative control: an inherit-only ACE for the helpdesk on the computer makes nobody a writer', async () => {
    const body = await read('IOWRITE01');
    expect(byName(body.writers, 'RBCD-Helpdesk')).toEqual([]);
    expect(codes(body)).not.toContain('RBCD_WRITABLE_BY_NON_TIER0');
  });

  it('GraphQL returns the same writers', async () => {
    const res = await t
      .http()
      .post('/graphql')
      .set(t.admin)
      .send({
        query:
          '{ delegation(target: "HDWRITE01") { writers { sid samAccountName dn domain resolved rights via class } warnings { code } } }',
      })
      .expect(200);
    expect(res.body.errors).toBeUndefined();
    const rest = await read('HDWRITE01');
    expect(res.body.data.delegation.writers).toEqual(rest.writers);
  });
});

describe('inventory: writers outside Tier 0 and each domain’s MachineAccountQuota', () => {
  let t: TestApp;
  const hdwrite = 'CN=HDWRITE01,OU=Servers,DC=contoso,DC=test';
  const iowrite = 'CN=IOWRITE01,OU=Servers,DC=contoso,DC=test';

  beforeAll(async () => {
    loadSandbox();
    t = await sandboxApp();
    const { writeRbcdRaw, referenceRbcdDescriptor } = await import('../support/sandbox');
    await writeRbcdRaw(hdwrite, referenceRbcdDescriptor(['S-1-5-21-1-2-3-4']));
    await writeRbcdRaw(iowrite, referenceRbcdDescriptor(['S-1-5-21-1-2-3-4']));
  });
  afterAll(async () => {
    const { writeRbcdRaw } = await import('../support/sandbox');
    await writeRbcdRaw(hdwrite, null);
    await writeRbcdRaw(iowrite, null);
    await t?.close();
  });

  it('RBCD_WRITABLE_BY_NON_TIER0 names the helpdesk on HDWRITE01, not on IOWRITE01 (inherit-only); MACHINE_ACCOUNT_QUOTA 10 on contoso', async () => {
    const page = async (base: string) =>
      (await t.http().get('/api/v1/inventory').query({ base }).set(t.admin).expect(200)).body;
    const hd = await page(hdwrite);
    expect(hd.items).toHaveLength(1);
    const risk = hd.items[0].risks.find((r: { code: string }) => r.code === 'RBCD_WRITABLE_BY_NON_TIER0');
    expect(risk.message).toMatch(/RBCD-Helpdesk \(WriteProperty\)/);
    expect(hd.domains).toEqual([
      {
        domain: 'contoso.test',
        machineAccountQuota: 10,
        risks: [expect.objectContaining({ code: 'MACHINE_ACCOUNT_QUOTA' })],
      },
    ]);
    const io = await page(iowrite);
    expect(io.items[0].risks.map((r: { code: string }) => r.code)).not.toContain('RBCD_WRITABLE_BY_NON_TIER0');
  });

  it('writers=false (REST) and writers: false (GraphQL) skip the permission read: the same item without the writer risk', async () => {
    const rest = await t
      .http()
      .get('/api/v1/inventory')
      .query({ base: hdwrite, writers: 'false' })
      .set(t.admin)
      .expect(200);
    expect(rest.body.items.map((i: { samAccountName: string }) => i.samAccountName)).toEqual(['HDWRITE01$']);
    expect(rest.body.items[0].risks.map((r: { code: string }) => r.code)).not.toContain('RBCD_WRITABLE_BY_NON_TIER0');
    await t.http().get('/api/v1/inventory').query({ base: hdwrite, writers: 'maybe' }).set(t.admin).expect(400);
    const gql = async (writers: boolean) =>
      (
        await t
          .http()
          .post('/graphql')
          .set(t.admin)
          .send({
            query: `query ($base: String, $writers: Boolean) { inventory(base: $base, writers: $writers) { items { samAccountName risks { code } } } }`,
            variables: { base: hdwrite, writers },
          })
          .expect(200)
      ).body.data.inventory.items[0].risks.map((r: { code: string }) => r.code);
    expect(await gql(true)).toContain('RBCD_WRITABLE_BY_NON_TIER0');
    expect(await gql(false)).not.toContain('RBCD_WRITABLE_BY_NON_TIER0');
  });
});

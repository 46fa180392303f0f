// The web console in a real browser (Debian's Chromium through playwright-core), signed in with an
// API key: served at `/` by the service with nothing from a CDN, every page free of serious axe-core
// violations at 1280×800 and at phone width, the API's error code and message on screen, and a
// requester who is also an approver told why their own request is not theirs to approve.
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import {
  assertNoStackTrace,
  browserProblems,
  buildConsole,
  closeBrowser,
  launchBrowser,
  newContext,
  PHONE,
  removeConsole,
  screenshot,
  seriousViolations,
} from '../support/console';
import { createComputer, deleteObject, uniqueName, type CreatedComputer } from '../support/sandbox';
import type { TestApp } from '../support/test-app';
import { TEST_ADMIN_KEY } from '../support/test-app';
import { issueKey, sandboxApp } from '../support/workflow';

jest.setTimeout(180_000);

describe('web console with API-key sign-in', () => {
  let t: TestApp;
  let url: string;
  let consoleDir: string | undefined;
  let handle: Awaited<ReturnType<typeof launchBrowser>> | undefined;
  let browser: Browser;
  const externalRequests: string[] = [];
  let target: CreatedComputer; // its own target: SERVERC is the OIDC suite's, which grants on it

  beforeAll(async () => {
    consoleDir = buildConsole();
    t = await sandboxApp({ env: { RBCD_CONSOLE_DIR: consoleDir } });
    await t.app.listen(0, '127.0.0.1');
    url = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
    handle = await launchBrowser();
    browser = handle.browser;
    target = await createComputer(uniqueName('CK'));
  });

  afterEach(() => {
    // No uncaught error and no Content-Security-Policy refusal in the browser, on any page.
    expect(browserProblems.splice(0)).toEqual([]);
  });

  afterAll(async () => {
    await closeBrowser(handle);
    await t?.close();
    removeConsole(consoleDir);
    if (target) await deleteObject(target.dn);
  });

  async function openSignedIn(
    key: string,
    hash = '#/inbox',
    viewport?: { width: number; height: number },
    colorScheme: 'light' | 'dark' = 'light',
  ) {
    const context = await newContext(browser, viewport, colorScheme);
    const page = await context.newPage();
    page.on('request', (r) => {
      if (!r.url().startsWith(url) && !r.url().startsWith('data:')) externalRequests.push(r.url());
    });
    await page.goto(`${url}/${hash}`);
    await page.getByLabel('API key', { exact: true }).fill(key);
    await page.getByRole('button', { name: 'Sign in with API key' }).click();
    await page.getByTestId('whoami').waitFor();
    return page;
  }

  async function expectAccessible(page: Page, name: string) {
    await assertNoStackTrace(page);
    await screenshot(page, name);
    expect(await seriousViolations(page)).toEqual([]);
  }

  it('serves the console at / with a strict CSP, and leaves API 404s alone', async () => {
    const index = await fetch(`${url}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toMatch(/text\/html/);
    expect(index.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await index.text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const js = await fetch(`${url}${asset}`);
    expect(js.status).toBe(200);
    expect(js.headers.get('cache-control')).toContain('immutable');
    // Nothing from elsewhere: every script and stylesheet comes from this origin.
    expect(html).not.toMatch(/(src|href)="https?:/);
    const missing = await fetch(`${url}/api/v1/no-such-thing`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    expect((await fetch(`${url}/no-such-page`)).status).toBe(404);
  });

  it('a wrong key shows the API code and message; the admin key signs in; sign-out clears the tab', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.goto(`${url}/`);
    await expectAccessible(page, 'sign-in');
    await page.getByLabel('API key', { exact: true }).fill('not-a-key');
    await page.getByRole('button', { name: 'Sign in with API key' }).click();
    await page.getByRole('alert').getByText('UNAUTHENTICATED').waitFor();

    await page.getByLabel('API key', { exact: true }).fill(TEST_ADMIN_KEY);
    await page.getByRole('button', { name: 'Sign in with API key' }).click();
    await page.getByTestId('whoami').getByText('admin').first().waitFor();
    expect(await page.evaluate('window.localStorage.length')).toBe(0);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in with API key' }).waitFor();
    expect(await page.evaluate("window.sessionStorage.getItem('rbcd.apiKey')")).toBeNull();
    // The CSP holds (an injected inline script is refused) and the check sees it: the negative control
    // for the afterEach check of every test.
    await page.addScriptTag({ content: 'window.injected = true' }).catch(() => undefined);
    expect(await page.evaluate('window.injected === true')).toBe(false);
    for (
      let i = 0;
      i < 50 && !browserProblems.some((p) => /Content Security Policy directive 'script-src 'self''/.test(p));
      i++
    )
      await page.waitForTimeout(100); // the console message arrives a moment after the refusal
    expect(browserProblems.join('\n')).toMatch(/Content Security Policy directive 'script-src 'self''/);
    browserProblems.splice(0);
    await context.close();
  });

  it('target, inventory and audit pages work and are accessible, at 1280×800 and at phone width', async () => {
    const page = await openSignedIn(TEST_ADMIN_KEY, '#/target/SERVERC');
    await page.getByRole('heading', { name: /SERVERC\$/ }).waitFor();
    await page.getByTestId('writers').waitFor();
    expect(await page.getByTestId('writers').innerText()).toMatch(/tier0/);
    await expectAccessible(page, 'target');

    // Diagnose: the checks read as a checklist.
    await page.getByLabel('User', { exact: true }).fill('alice');
    await page.getByLabel('Front-end service').fill('SERVERB$');
    await page.getByRole('button', { name: 'Diagnose' }).click();
    await page.getByRole('list', { name: 'Diagnose checklist' }).getByText('RBCD_ACE').waitFor();
    await expectAccessible(page, 'target-diagnose');

    // An unknown target: the API's code and message, no stack trace.
    await page.goto(`${url}/#/target/NOSUCHHOST`);
    await page.getByRole('alert').getByText('TARGET_NOT_FOUND').waitFor();
    await expectAccessible(page, 'target-not-found');

    await page.goto(`${url}/#/inventory`);
    await page.getByTestId('inventory').locator('tbody tr').first().waitFor();
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const csv = await (await download).path();
    expect(readFileSync(csv, 'utf8')).toMatch(/^"?samAccountName"?,/);
    // react-aria draws the box and hides the input: a person clicks the label.
    await page.getByRole('group', { name: 'Kind' }).getByText('unconstrained', { exact: true }).click();
    expect(await page.getByRole('checkbox', { name: 'unconstrained' }).isChecked()).toBe(true);
    await page.getByText(/shown of \d+ in the inventory/).waitFor();
    await expectAccessible(page, 'inventory');
    // The risk filter is the API's (GET /inventory?risk=): every row listed carries the risk chosen.
    await page.getByRole('button', { name: /Risk/ }).click();
    const filtered = page.waitForResponse((r) => r.url().includes('risk=UNCONSTRAINED_ON_NON_DC') && r.ok());
    await page.getByRole('option', { name: 'UNCONSTRAINED_ON_NON_DC' }).click();
    await filtered;
    await page.getByText(/shown of \d+ in the inventory/).waitFor();
    const rows = page.getByTestId('inventory').locator('tbody tr:not(:has(.empty))');
    for (const risks of await rows.locator('td:last-child').allInnerTexts())
      expect(risks).toContain('UNCONSTRAINED_ON_NON_DC');
    await expectAccessible(page, 'inventory-risk');

    await page.goto(`${url}/#/audit`);
    await page.getByRole('button', { name: 'Verify chain' }).click();
    await page.getByTestId('verification').getByText('Chain intact').waitFor();
    await expectAccessible(page, 'audit');
    await page.context().close();

    const phone = await openSignedIn(TEST_ADMIN_KEY, '#/target/SERVERC', PHONE);
    await phone.getByTestId('writers').waitFor();
    await expectAccessible(phone, 'target-phone');
    // Nothing wider than the phone: no sideways scrolling of the page (wide tables scroll in their own box).
    expect(
      await phone.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth'),
    ).toBeLessThanOrEqual(1);
    await phone.context().close();
    expect(externalRequests).toEqual([]);
  });

  it('every page at phone width in the dark: no sideways scrolling, no serious axe violation', async () => {
    const page = await openSignedIn(TEST_ADMIN_KEY, '#/inbox', PHONE, 'dark');
    expect(await page.evaluate<boolean>("matchMedia('(prefers-color-scheme: dark)').matches")).toBe(true);
    const pages: [string, string][] = [
      ['inbox', 'Inbox'],
      ['new', 'New request'],
      ['mine', 'My requests'],
      ['target/SERVERC', 'Target'],
      ['inventory', 'Inventory'],
      ['audit', 'Audit'],
    ];
    for (const [hash, heading] of pages) {
      await page.goto(`${url}/#/${hash}`);
      await page.getByRole('heading', { level: 1, name: heading }).waitFor();
      await page
        .locator('[aria-busy="true"]')
        .first()
        .waitFor({ state: 'detached' })
        .catch(() => undefined);
      await expectAccessible(page, `phone-dark-${hash.replace('/', '-')}`);
      const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
      expect(overflow <= 1 ? hash : `${hash} is ${overflow}px wider than the phone`).toBe(hash);
    }
    await page.context().close();
  });

  it('targetSearch: every computer under an OU, with the count in the plan preview', async () => {
    const page = await openSignedIn(TEST_ADMIN_KEY, '#/new');
    await page
      .getByRole('radiogroup', { name: 'Targets' })
      .getByText('Every computer under an OU (targetSearch)')
      .click();
    await page.getByLabel('OU (search base)').fill('OU=Servers,DC=contoso,DC=test');
    await page.getByLabel('LDAP filter (optional)').fill('(name=SERVERC)');
    await page.getByLabel('Principal (the front-end account that may delegate)').fill('SERVERB$');
    await page.getByRole('button', { name: 'Preview plan' }).click();
    await page
      .getByTestId('plan-count')
      .getByText(/^1 target\(s\)/)
      .waitFor();
    await page.getByRole('heading', { name: /SERVERC\$/ }).waitFor();
    await expectAccessible(page, 'new-request-search');
    await page.context().close();
  });

  it('files a request with the plan preview; its requester cannot approve it and is told why', async () => {
    const key = (await issueKey(t, 'console-both', ['requester', 'approver'])).Authorization.replace('Bearer ', '');
    const page = await openSignedIn(key, '#/new');
    await page.getByLabel("Target (the back-end service's computer)").fill(target.samAccountName.replace(/\$$/, ''));
    await page.getByTestId('target-found').getByText(`Found ${target.samAccountName} in contoso.test`).waitFor();
    await page.getByLabel('Principal (the front-end account that may delegate)').fill('SERVERB$');
    await page
      .getByTestId('principal-found')
      .getByText(/Found SERVERB\$/)
      .waitFor();
    await page.getByLabel('Justification').fill('console test: own request');
    await page.getByRole('button', { name: 'Preview plan' }).click();
    await page.getByTestId('plan-count').getByText('1 target(s), 1 would change.').waitFor();
    await expectAccessible(page, 'new-request');
    await page.getByRole('button', { name: 'Submit request' }).click();
    await page.getByTestId('timeline').waitFor();
    const id = /#\/requests\/([0-9a-f-]+)/.exec(page.url())?.[1];
    expect(id).toBeDefined();
    await expectAccessible(page, 'request');

    await page.goto(`${url}/#/inbox`);
    const item = page.getByTestId(`inbox-${id}`);
    await item
      .getByTestId('not-approvable')
      .getByText(/You filed it/)
      .waitFor();
    await item.getByText('Plan: what the directory looks like before and after').click();
    await item.getByText('SDDL after').waitFor();
    expect(await item.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    await expectAccessible(page, 'inbox-own');
    // The API says the same thing, with its own code: the console hides nothing it would allow.
    const direct = await fetch(`${url}/api/v1/requests/${id}/approve`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect([direct.status, ((await direct.json()) as { error: { code: string } }).error.code]).toEqual([
      403,
      'SELF_APPROVAL',
    ]);

    await page.goto(`${url}/#/mine`);
    await page.getByTestId('my-requests').getByText('pending').waitFor();
    await expectAccessible(page, 'my-requests');
    await page.goto(`${url}/#/requests/${id}`);
    await page.getByRole('button', { name: 'Cancel this request' }).click();
    await page.getByRole('heading').getByText('cancelled').waitFor();
    await page.context().close();
  });
});

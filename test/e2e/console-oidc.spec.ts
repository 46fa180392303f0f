// The web console signed in through a real OpenID provider (node oidc-provider, its own process):
// authorization code + PKCE, a requester and an approver with the roles claim. The requester files
// SERVERB$ → SERVERC with the plan preview; the approver approves, and the short
// OIDC_APPROVAL_MAX_AGE sends them to sign in again (max_age) and back to the same approval; the
// request is applied and the KDC says allowed; the target page lists SERVERB$, the audit page
// verifies the chain; the requester revokes, and the KDC refuses again. Then sign-out.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createTestApp, type TestApp } from '../support/test-app';
import {
  assertNoStackTrace,
  browserProblems,
  buildConsole,
  closeBrowser,
  launchBrowser,
  newContext,
  removeConsole,
  screenshot,
  seriousViolations,
} from '../support/console';
import { canDelegate } from '../support/kerberos';
import { writeRbcdRaw } from '../support/sandbox';
import { startOidcProvider, type OidcTestProvider } from '../support/oidc-provider';
import { freePort } from '../support/service-process';
import { SANDBOX_CONFIG } from '../support/workflow';

jest.setTimeout(240_000);

const MAX_AGE_SECONDS = 6;
const SERVERC_DN = 'CN=SERVERC,OU=Servers,DC=contoso,DC=test';
const oracle = () => canDelegate({ frontEnd: 'SERVERB$', user: 'alice', spn: 'cifs/serverc.contoso.test' });

describe('web console with OIDC sign-in (authorization code + PKCE) and step-up', () => {
  let t: TestApp;
  let idp: OidcTestProvider;
  let url: string;
  let consoleDir: string | undefined;
  let handle: Awaited<ReturnType<typeof launchBrowser>> | undefined;
  let browser: Browser;
  let requestId: string | undefined;

  beforeAll(async () => {
    // SERVERC holds no RBCD entry in the fixtures; a run stopped half-way may have left one.
    await writeRbcdRaw(SERVERC_DN, null);
    consoleDir = buildConsole();
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    idp = await startOidcProvider({
      users: {
        rita: { name: 'rita.requester', roles: ['requester'] },
        adam: { name: 'adam.approver', roles: ['approver', 'auditor'] },
      },
      clients: [{ clientId: 'rbcd-console', redirectUris: [`${url}/`] }],
      audience: 'api://rbcd-broker',
      apiScope: 'rbcd',
    });
    t = await createTestApp({
      worker: true,
      env: {
        RBCD_CONFIG: SANDBOX_CONFIG,
        RBCD_CONSOLE_DIR: consoleDir,
        OIDC_ISSUER: idp.issuer,
        OIDC_AUDIENCE: 'api://rbcd-broker',
        OIDC_JWKS_URL: idp.jwksUrl,
        OIDC_CONSOLE_CLIENT_ID: 'rbcd-console',
        OIDC_CONSOLE_SCOPE: 'openid profile rbcd',
        OIDC_CONSOLE_RESOURCE: 'api://rbcd-broker',
        OIDC_APPROVAL_MAX_AGE: `PT${MAX_AGE_SECONDS}S`,
      },
    });
    await t.app.listen(port, '127.0.0.1');
    handle = await launchBrowser();
    browser = handle.browser;
  });

  afterEach(() => {
    // No uncaught error and no Content-Security-Policy refusal in the browser, on any page.
    expect(browserProblems.splice(0)).toEqual([]);
  });

  afterAll(async () => {
    // A run that stopped half-way leaves no grant behind on SERVERC.
    if (requestId) await writeRbcdRaw(SERVERC_DN, null).catch(() => undefined);
    await closeBrowser(handle);
    await t?.close();
    await idp?.stop();
    removeConsole(consoleDir);
  });

  async function expectAccessible(page: Page, name: string) {
    await assertNoStackTrace(page);
    await screenshot(page, name);
    expect(await seriousViolations(page)).toEqual([]);
  }

  /** The provider's own login form (any password): fills it and waits until the console is back. */
  async function providerLogin(page: Page, login: string) {
    await page.waitForURL((u) => u.toString().startsWith(idp.issuer));
    await page.locator('input[name="login"]').fill(login);
    await page.locator('input[name="password"]').fill('any password');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.waitForURL((u) => u.toString().startsWith(url));
  }

  async function signIn(context: BrowserContext, login: string): Promise<{ page: Page; at: number }> {
    const page = await context.newPage();
    await page.goto(`${url}/`);
    await page.getByRole('button', { name: 'Sign in with your organisation' }).click();
    await providerLogin(page, login);
    const at = Date.now();
    await page.getByTestId('whoami').waitFor();
    return { page, at };
  }

  it('requester files, approver steps up and approves, the KDC agrees; revoke; sign-out', async () => {
    expect((await oracle()).allowed).toBe(false); // the control: nothing allows it before

    const approverContext = await newContext(browser);
    const approver = await signIn(approverContext, 'adam');
    expect(await approver.page.getByTestId('whoami').innerText()).toContain('adam.approver');
    // Tokens live in sessionStorage only.
    expect(await approver.page.evaluate<number>('window.localStorage.length')).toBe(0);
    expect(await approver.page.evaluate<string>('Object.keys(window.sessionStorage).join(" ")')).toMatch(/oidc\.user/);

    const requesterContext = await newContext(browser);
    const { page: requester } = await signIn(requesterContext, 'rita');
    await requester.goto(`${url}/#/new`);
    await requester.getByLabel("Target (the back-end service's computer)").fill('SERVERC');
    await requester
      .getByTestId('target-found')
      .getByText(/Found SERVERC\$/)
      .waitFor();
    await requester.getByLabel('Principal (the front-end account that may delegate)').fill('SERVERB$');
    await requester
      .getByTestId('principal-found')
      .getByText(/Found SERVERB\$/)
      .waitFor();
    await requester.getByLabel('Duration (ISO 8601)').fill('PT1H');
    await requester.getByLabel('Ticket system').fill('ServiceNow');
    await requester.getByLabel('Ticket id').fill('CHG0015');
    await requester.getByLabel('Justification').fill('Web front-end reaches the file share as the user');
    await requester.getByRole('button', { name: 'Preview plan' }).click();
    await requester.getByTestId('plan-count').getByText('1 target(s), 1 would change.').waitFor();
    await requester.getByRole('button', { name: 'Submit request' }).click();
    await requester.getByTestId('timeline').waitFor();
    requestId = /#\/requests\/([0-9a-f-]+)/.exec(requester.url())?.[1];
    expect(requestId).toBeDefined();
    await requester.getByRole('heading').getByText('pending').waitFor();
    await expectAccessible(requester, 'oidc-request-pending');

    // The approver: the inbox shows everything needed to decide.
    const page = approver.page;
    await page.getByRole('link', { name: 'Inbox' }).click(); // the page already shown: the menu reloads it
    const item = page.getByTestId(`inbox-${requestId}`);
    await item.getByText('rita.requester').waitFor();
    await item.getByText('ServiceNow CHG0015').waitFor();
    await item.getByTestId('quorum').getByText('0 of 1 approvals (still needed: 1 more)').waitFor();
    await item.getByText('Plan: what the directory looks like before and after').click();
    await item.getByText('SDDL after').waitFor();
    await expectAccessible(page, 'oidc-inbox');

    // Step-up: the sign-in is older than OIDC_APPROVAL_MAX_AGE by the time the approver decides.
    const age = Date.now() - approver.at;
    if (age < (MAX_AGE_SECONDS + 1) * 1000) await page.waitForTimeout((MAX_AGE_SECONDS + 1) * 1000 - age);
    const authorize: string[] = [];
    page.on('request', (r) => {
      if (r.url().startsWith(`${idp.issuer}/auth`)) authorize.push(r.url());
    });
    // Approve opens a dialog (react-aria: focus moves into it, the page behind is inert) for the comment.
    await item.getByRole('button', { name: 'Approve' }).click();
    const dialog = page.getByRole('dialog', { name: 'Approve this request' });
    await dialog.getByLabel('Comment (optional)').fill('Matches CHG0015');
    await expectAccessible(page, 'oidc-approve-dialog');
    await dialog.getByRole('button', { name: 'Approve' }).click();
    await providerLogin(page, 'adam'); // max_age made the provider ask again
    expect(authorize.some((u) => new URL(u).searchParams.get('max_age') === String(MAX_AGE_SECONDS))).toBe(true);
    await page.waitForURL((u) => u.hash === `#/inbox/${requestId}`); // back at the same approval
    await page.getByTestId(`inbox-${requestId}`).getByTestId('decision').waitFor();

    await page.goto(`${url}/#/requests/${requestId}`);
    await page.getByRole('heading').getByText('applied').waitFor({ timeout: 60_000 });
    await page
      .getByTestId('timeline')
      .getByText(/approved by adam\.approver/)
      .waitFor();
    await page.getByTestId('next-steps').waitFor();
    await expectAccessible(page, 'oidc-request-applied');

    expect((await oracle()).allowed).toBe(true);

    await page.goto(`${url}/#/target/SERVERC`);
    await page.getByTestId('principals').getByText('SERVERB$').waitFor();
    await expectAccessible(page, 'oidc-target-after');

    await page.goto(`${url}/#/audit`);
    await page.getByRole('button', { name: 'Verify chain' }).click();
    await page.getByTestId('verification').getByText('Chain intact').waitFor();
    await page.getByTestId('audit').getByText('request.applied').first().waitFor();
    await expectAccessible(page, 'oidc-audit');

    // The requester's page followed the request by itself; they end it early; the KDC refuses again.
    await requester.getByRole('heading').getByText('applied').waitFor();
    await requester.getByRole('button', { name: 'Revoke now' }).click();
    await requester.getByRole('heading').getByText('revoked').waitFor({ timeout: 60_000 });
    expect((await oracle()).allowed).toBe(false);
    requestId = undefined;

    // Sign-out: the provider's session ends too, and the console is back at its sign-in page.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((u) => u.toString().startsWith(idp.issuer));
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.getByRole('button', { name: 'Sign in with your organisation' }).waitFor();
    expect(await page.evaluate<string>('Object.keys(window.sessionStorage).join(" ")')).not.toMatch(/oidc\.user/);
    await approverContext.close();
    await requesterContext.close();
  });
});

// Browser tests of the web console: builds it once per suite (Vite, into a temporary folder the
// service is pointed at through RBCD_CONSOLE_DIR), drives Debian's Chromium with playwright-core
// (no browser download), checks each page with axe-core, and keeps screenshots under
// test-artifacts/console/ (gitignored) for a person to look at.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { REPO_ROOT } from './sandbox';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(REPO_ROOT, 'test-artifacts', 'console');

/** `vite build` of web/ into a fresh folder; returns it (the caller removes it). */
export function buildConsole(): string {
  const out = mkdtempSync(join(tmpdir(), 'rbcd-console-'));
  execFileSync(
    process.execPath,
    [
      join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js'),
      'build',
      '--config',
      'web/vite.config.mts',
      '--logLevel',
      'warn',
    ],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, RBCD_CONSOLE_OUT_DIR: out, VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' },
      stdio: 'pipe',
    },
  );
  if (!existsSync(join(out, 'index.html'))) throw new Error('vite build wrote no index.html');
  return out;
}

export function removeConsole(dir: string | undefined): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
}

/**
 * Chromium as the machine provides it: headless, no sandbox (root), no background traffic; Playwright
 * gives each launch a fresh, empty user-data-dir of its own (and removes it on close).
 */
export async function launchBrowser(): Promise<{ browser: Browser }> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does this)`);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return { browser };
}

export async function closeBrowser(handle: { browser: Browser } | undefined): Promise<void> {
  await handle?.browser.close().catch(() => undefined);
}

/** Uncaught page errors and Content-Security-Policy refusals seen in any context (none expected). */
export const browserProblems: string[] = [];

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

export async function newContext(
  browser: Browser,
  viewport = DESKTOP,
  colorScheme: 'light' | 'dark' = 'light',
): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport, colorScheme });
  // What a person would not see but must not happen: an uncaught error, or the CSP refusing something.
  context.on('weberror', (error) => browserProblems.push(`uncaught: ${error.error().message}`));
  context.on('console', (message) => {
    if (message.type() === 'error' && /Refused to|Content.Security.Policy/i.test(message.text()))
      browserProblems.push(`console: ${message.text()}`);
  });
  context.setDefaultTimeout(30_000);
  return context;
}

const AXE_SOURCE = () => readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core injected into the page; the serious and critical violations (none expected). */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE());
  const result = await page.evaluate<{ violations: AxeViolation[] }>('axe.run()');
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
}

/** A full-page screenshot for people to look at (test-artifacts/console/<name>.png). */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** No page may print a stack trace or stay blank: the body has text, and no "at …(file:line)" frames. */
export async function assertNoStackTrace(page: Page): Promise<void> {
  // React renders after the load event that page.goto waits for: give it a moment before calling the page blank.
  await page
    .waitForFunction('document.body.innerText.trim().length > 0', null, { timeout: 10_000 })
    .catch(() => undefined);
  const text = await page.locator('body').innerText();
  if (!text.trim()) throw new Error('the page is blank');
  if (/\n\s+at .+:\d+:\d+/.test(text)) throw new Error(`the page shows a stack trace: ${text.slice(0, 500)}`);
}

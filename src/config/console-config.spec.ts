import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './config.error';
import { readApprovalMaxAge, readConsole, readTeams, TEAMS_EVENTS } from './sections/console';
import { loadConfig } from './load-config';

const ISSUER = { OIDC_ISSUER: 'https://idp.example', OIDC_AUDIENCE: 'rbcd' };

function error(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  return 'no error';
}

describe('console and Teams settings', () => {
  it('OIDC_APPROVAL_MAX_AGE: an ISO duration from PT1S to P1D; unset is off', () => {
    expect(readApprovalMaxAge({})).toEqual({});
    expect(readApprovalMaxAge({ OIDC_APPROVAL_MAX_AGE: 'PT15M' })).toEqual({ approvalMaxAgeMs: 900_000 });
    expect(loadConfig({ ...ISSUER, OIDC_APPROVAL_MAX_AGE: 'PT5S' }).oidc?.approvalMaxAgeMs).toBe(5000);
    for (const bad of ['15m', 'P2D', 'PT0.5S', 'P1M'])
      expect(error(() => readApprovalMaxAge({ OIDC_APPROVAL_MAX_AGE: bad }))).toMatch(/OIDC_APPROVAL_MAX_AGE/);
    expect(error(() => loadConfig({ OIDC_APPROVAL_MAX_AGE: 'PT15M' }))).toMatch(/needs OIDC_ISSUER/);
  });

  it('the console: its OIDC client needs an issuer; the public URL must be http(s)', () => {
    expect(readConsole({})).toEqual({ oidcScope: 'openid profile' });
    expect(
      readConsole({ ...ISSUER, OIDC_CONSOLE_CLIENT_ID: 'console', RBCD_PUBLIC_URL: 'https://rbcd.example/' }),
    ).toEqual({
      oidcClientId: 'console',
      oidcScope: 'openid profile',
      publicUrl: 'https://rbcd.example',
    });
    expect(error(() => readConsole({ OIDC_CONSOLE_CLIENT_ID: 'console' }))).toMatch(/needs OIDC_ISSUER/);
    expect(error(() => readConsole({ RBCD_PUBLIC_URL: 'ftp://x' }))).toMatch(/RBCD_PUBLIC_URL/);
  });

  it('chat.teams: the webhook URL from a file (never echoed), the events from the known list', () => {
    const dir = mkdtempSync(join(tmpdir(), 'teams-'));
    const file = join(dir, 'url');
    writeFileSync(file, 'https://example.webhook.office.com/webhookb2/secret-part\n');
    const env = { RBCD_PUBLIC_URL: 'https://rbcd.example' };
    expect(readTeams(env, undefined)).toBeUndefined();
    expect(error(() => readTeams({}, { teams: { webhookUrlFile: file } }))).toMatch(/needs RBCD_PUBLIC_URL/);
    expect(readTeams(env, { teams: { webhookUrlFile: file } })).toEqual({
      webhookUrl: 'https://example.webhook.office.com/webhookb2/secret-part',
      events: [...TEAMS_EVENTS],
    });
    expect(readTeams(env, { teams: { webhookUrlFile: file, events: ['request.created'] } })?.events).toEqual([
      'request.created',
    ]);
    expect(error(() => readTeams(env, { teams: { webhookUrlFile: join(dir, 'missing') } }))).toMatch(/cannot read/);
    expect(error(() => readTeams(env, { teams: { webhookUrlFile: file, events: ['drift.detected'] } }))).toMatch(
      /chat\.teams\.events/,
    );
    expect(error(() => readTeams(env, { teams: { url: 'x' } }))).toMatch(/chat\.teams\.url/);
    writeFileSync(file, 'not a url with secret-part');
    const message = error(() => readTeams(env, { teams: { webhookUrlFile: file } }));
    expect(message).toMatch(/must be an http\(s\) URL/);
    expect(message).not.toContain('secret-part');
  });
});

// One person through several channels, for tests: OIDC tokens signed by a JWKS this test serves on
// 127.0.0.1, and signed Slack-compatible chat calls (slash commands and button presses).
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, type KeyLike, SignJWT } from 'jose';
import type { TestApp } from './test-app';

export const OIDC_ISSUER = 'https://idp.contoso.test/realms/corp';
export const OIDC_AUDIENCE = 'rbcd-broker';

/** A JWKS endpoint with one RS256 key, and tokens signed by it. */
export class OidcIssuer {
  private server?: Server;
  private key?: { privateKey: KeyLike; jwk: JWK };

  /** Starts the JWKS endpoint; returns the env that points the service at it. */
  async start(env: Record<string, string> = {}): Promise<Record<string, string>> {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    this.key = { privateKey, jwk: { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' } };
    this.server = createServer((_req, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ keys: [this.key?.jwk] }));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/jwks.json`;
    return { OIDC_ISSUER, OIDC_AUDIENCE, OIDC_JWKS_URL: url, OIDC_ROLES_CLAIM: 'roles', ...env };
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** `Authorization: Bearer <JWT>` for a subject with these claims (upn, email, roles...). */
  async bearer(sub: string, claims: Record<string, unknown>): Promise<{ Authorization: string }> {
    if (!this.key) throw new Error('OidcIssuer not started');
    const jwt = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'k1', typ: 'JWT' })
      .setIssuer(OIDC_ISSUER)
      .setAudience(OIDC_AUDIENCE)
      .setSubject(sub)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(this.key.privateKey);
    return { Authorization: `Bearer ${jwt}` };
  }
}

/** Signed chat calls as Slack makes them. */
export class ChatClient {
  constructor(private readonly secret: string) {}

  post(t: TestApp, path: string, form: Record<string, string>) {
    const body = new URLSearchParams(form).toString();
    const ts = String(Math.floor(Date.now() / 1000));
    const signature = `v0=${createHmac('sha256', this.secret).update(`v0:${ts}:${body}`).digest('hex')}`;
    return t
      .http()
      .post(path)
      .type('form')
      .set('X-Slack-Request-Timestamp', ts)
      .set('X-Slack-Signature', signature)
      .send(body);
  }

  slash(t: TestApp, userId: string, text: string) {
    return this.post(t, '/api/v1/chatops/slack/commands', {
      user_id: userId,
      user_name: userId.toLowerCase(),
      command: '/rbcd',
      text,
    });
  }

  press(t: TestApp, userId: string, action: 'approve' | 'reject', requestId: string) {
    return this.post(t, '/api/v1/chatops/slack/interactions', {
      payload: JSON.stringify({
        type: 'block_actions',
        user: { id: userId, username: userId.toLowerCase() },
        actions: [{ action_id: action, value: requestId }],
      }),
    });
  }
}

/** The request id in a chat reply ("Filed request <id>"). */
export function filedId(text: string): string {
  const id = /Filed request ([0-9a-f-]{36})/.exec(text)?.[1];
  if (!id) throw new Error(`no request id in: ${text}`);
  return id;
}

// A real OpenID provider for tests (node `oidc-provider`, ES modules only, hence its own process):
// started by test/support/oidc-provider.ts, which passes its settings in OIDC_TEST_SETTINGS (JSON)
// and reads the issuer from the first line this prints ("READY <issuer>").
//
// - users: { <login>: { name, roles } }: the dev login form takes the login (any password);
// - clients: public clients (authorization code + PKCE) with their redirect URIs, or with
//   `device: true` the device-code grant and refresh tokens (the CLI; no redirect URI);
// - deviceFlow: false turns the device flow off (default on);
// - audience: the API (resource indicator) its JWT access tokens are for, with the roles claim,
//   preferred_username and auth_time (when the person last signed in: step-up checks it);
// - first-party clients get no consent screen.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const settings = JSON.parse(process.env.OIDC_TEST_SETTINGS ?? '{}');
const users = settings.users ?? {};
const audience = settings.audience ?? 'api://rbcd-broker';
const apiScope = settings.apiScope ?? 'rbcd';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), use: 'sig', alg: 'RS256' };

const server = createServer();
await new Promise((resolve) => server.listen(settings.port ?? 0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: (settings.clients ?? []).map((c) =>
    c.device
      ? {
          client_id: c.clientId,
          token_endpoint_auth_method: 'none',
          grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
          response_types: [],
          redirect_uris: [],
        }
      : {
          client_id: c.clientId,
          token_endpoint_auth_method: 'none',
          redirect_uris: c.redirectUris,
          post_logout_redirect_uris: c.postLogoutRedirectUris ?? c.redirectUris,
          grant_types: ['authorization_code'],
          response_types: ['code'],
        },
  ),
  jwks: { keys: [jwk] },
  cookies: { keys: [randomUUID()] },
  claims: { openid: ['sub'], profile: ['preferred_username', 'name', 'roles'] },
  async findAccount(_ctx, id) {
    const user = users[id];
    if (!user) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, preferred_username: user.name ?? id, name: user.name ?? id, roles: user.roles ?? [] };
      },
    };
  },
  features: {
    devInteractions: { enabled: true },
    deviceFlow: { enabled: settings.deviceFlow !== false },
    rpInitiatedLogout: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => audience,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: apiScope,
        audience,
        accessTokenFormat: 'jwt',
        accessTokenTTL: 3600,
        jwt: { sign: { alg: 'RS256' } },
      }),
    },
  },
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid profile');
    grant.addOIDCClaims(['preferred_username', 'name', 'roles']);
    grant.addResourceScope(audience, apiScope);
    await grant.save();
    return grant;
  },
  async extraTokenClaims(ctx, token) {
    if (token.kind !== 'AccessToken') return undefined;
    const user = users[token.accountId] ?? {};
    const authTime = ctx.oidc.entities.AuthorizationCode?.authTime;
    return {
      roles: user.roles ?? [],
      preferred_username: user.name ?? token.accountId,
      ...(authTime ? { auth_time: authTime } : {}),
    };
  },
  pkce: { required: () => true },
  ttl: { Session: 3600, Interaction: 600, Grant: 3600, AuthorizationCode: 60, IdToken: 3600 },
});
provider.on('server_error', (_ctx, error) => process.stderr.write(`oidc-provider: ${error.stack}\n`));
server.on('request', provider.callback());
process.stdout.write(`READY ${issuer}\n`);
process.on('SIGTERM', () => server.close(() => process.exit(0)));

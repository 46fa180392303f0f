// Who may call: the bootstrap admin key, static API keys, OIDC tokens, roles from AD groups and
// Slack's chat users.
import { isRole, ROLES } from '../../auth/roles';
import { ConfigError } from '../config.error';
import type {
  ChatUserConfig,
  OidcConfig,
  OidcUserClaim,
  RolesConfig,
  SlackConfig,
  StaticApiKeyConfig,
} from '../setting-types';
import type { EnvironmentSettings } from '../schema/environment.schema';
import { secretFrom } from '../sources/secret-files';
import { DN_SHAPE, type Env, optionalString } from '../sources/yaml-values';
import { readApprovalMaxAge } from './console';

/** RBCD_ADMIN_API_KEY (or _FILE): the bootstrap admin key, at least 16 characters. */
export function readAdminKey(env: Env): string | undefined {
  const key = secretFrom(env.RBCD_ADMIN_API_KEY, env.RBCD_ADMIN_API_KEY_FILE, 'RBCD_ADMIN_API_KEY');
  if (key !== undefined && key.length < 16)
    throw new ConfigError('RBCD_ADMIN_API_KEY', 'must be at least 16 characters');
  return key;
}

/** `roles.fromGroups: {approver: ["CN=RBCD Approvers,…"]}` and how long group answers are cached. */
export function readRoles(settings: EnvironmentSettings, raw: unknown): RolesConfig {
  const groupCacheMs = settings.RBCD_GROUP_CACHE_MS;
  if (raw === undefined || raw === null) return { fromGroups: {}, groupCacheMs };
  const roles = raw as Record<string, unknown>;
  if (typeof roles !== 'object' || Array.isArray(roles))
    throw new ConfigError('roles', 'must be a mapping (roles.fromGroups)');
  const fromGroups: Record<string, string[]> = {};
  const map = (roles.fromGroups ?? {}) as Record<string, unknown>;
  if (typeof map !== 'object' || Array.isArray(map))
    throw new ConfigError('roles.fromGroups', 'must map roles to lists of group DNs');
  for (const [role, groups] of Object.entries(map)) {
    if (!isRole(role)) throw new ConfigError(`roles.fromGroups.${role}`, `is not a role (${ROLES.join(', ')})`);
    if (
      !Array.isArray(groups) ||
      groups.length === 0 ||
      groups.some((g) => typeof g !== 'string' || !DN_SHAPE.test(g.trim()))
    ) {
      throw new ConfigError(`roles.fromGroups.${role}`, 'must be a non-empty list of group distinguished names');
    }
    fromGroups[role] = groups.map((g: string) => g.trim());
  }
  return { fromGroups, groupCacheMs };
}

/** Slack: the signing secret (SLACK_SIGNING_SECRET or YAML) and the chat users. */
export function readSlack(env: Env, rawChat: unknown): SlackConfig | undefined {
  const chat = (rawChat ?? {}) as Record<string, unknown>;
  const slack = (chat.slack ?? {}) as Record<string, unknown>;
  const signingSecret =
    secretFrom(env.SLACK_SIGNING_SECRET, env.SLACK_SIGNING_SECRET_FILE, 'SLACK_SIGNING_SECRET') ??
    secretFrom(slack.signingSecret, slack.signingSecretFile, 'chat.slack.signingSecret');
  if (!signingSecret && chat.slack === undefined) return undefined;
  const users = (slack.users ?? {}) as Record<string, unknown>;
  if (typeof users !== 'object' || Array.isArray(users))
    throw new ConfigError('chat.slack.users', 'must map chat user ids to {user, roles}');
  const mapped: Record<string, ChatUserConfig> = {};
  for (const [id, entry] of Object.entries(users)) mapped[id] = readChatUser(id, entry);
  return { signingSecret, notifyUrl: optionalString(slack.notifyUrl, 'chat.slack.notifyUrl'), users: mapped };
}

/** `{user: alice@contoso.test, roles: [...]}`, or the old bare role list (an unlinked, read-only chat user). */
function readChatUser(id: string, entry: unknown): ChatUserConfig {
  const label = `chat.slack.users.${id}`;
  const checkRoles = (roles: unknown, name: string): string[] => {
    if (!Array.isArray(roles) || roles.some((r) => !isRole(String(r))))
      throw new ConfigError(name, `must be a list of roles from: ${ROLES.join(', ')}`);
    return roles.map(String);
  };
  if (Array.isArray(entry)) return { roles: checkRoles(entry, label) };
  if (!entry || typeof entry !== 'object') throw new ConfigError(label, 'must be {user: <AD user>, roles: [...]}');
  const { user, roles, ...rest } = entry as Record<string, unknown>;
  if (Object.keys(rest).length) throw new ConfigError(label, `unknown key ${Object.keys(rest)[0]} (user, roles)`);
  const name = optionalString(user, `${label}.user`);
  if (!name)
    throw new ConfigError(
      `${label}.user`,
      'is required: the AD user behind this chat id (alice@contoso.test, CONTOSO\\alice)',
    );
  return { user: name, roles: roles === undefined ? [] : checkRoles(roles, `${label}.roles`) };
}

/** RBCD_CONFIG `apiKeys`: keys known by their SHA-256 only. */
export function readStaticApiKeys(raw: unknown): StaticApiKeyConfig[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new ConfigError('RBCD_CONFIG apiKeys', 'must be a list');
  return raw.map((k, i) => {
    const label = `apiKeys[${i}]`;
    const key = (k ?? {}) as Record<string, unknown>;
    const name = optionalString(key.name, `${label}.name`);
    if (!name) throw new ConfigError(`${label}.name`, 'is required');
    const sha256 = optionalString(key.sha256, `${label}.sha256`)?.toLowerCase();
    if (!sha256 || !/^[0-9a-f]{64}$/.test(sha256))
      throw new ConfigError(`${label}.sha256`, 'must be the 64-hex SHA-256 of the key');
    const roles = key.roles;
    if (!Array.isArray(roles) || roles.length === 0 || roles.some((r) => !isRole(String(r)))) {
      throw new ConfigError(`${label}.roles`, `must be a list of roles from: ${ROLES.join(', ')}`);
    }
    const owner = optionalString(key.owner, `${label}.owner`);
    if (owner && key.mayActOnBehalf === true)
      throw new ConfigError(
        `${label}.mayActOnBehalf`,
        "a person's key (owner) may not act on behalf of others; use a system key",
      );
    return {
      name,
      sha256,
      roles: roles.map(String),
      mayActOnBehalf: key.mayActOnBehalf === true,
      ...(owner ? { owner } : {}),
    };
  });
}

/** OIDC_*: bearer tokens from an OpenID provider; unset OIDC_ISSUER: off. */
export function readOidc(env: Env, settings: EnvironmentSettings): OidcConfig | undefined {
  const issuer = env.OIDC_ISSUER?.trim();
  if (!issuer) return undefined;
  const audience = env.OIDC_AUDIENCE?.trim();
  if (!audience) throw new ConfigError('OIDC_AUDIENCE', 'is required when OIDC_ISSUER is set');
  const jwksUrl = env.OIDC_JWKS_URL?.trim() || `${issuer.replace(/\/$/, '')}/.well-known/jwks.json`;
  if (!/^https?:\/\//.test(jwksUrl)) throw new ConfigError('OIDC_JWKS_URL', 'must be an http(s) URL');
  return {
    issuer,
    audience,
    jwksUrl,
    rolesClaim: settings.OIDC_ROLES_CLAIM,
    jwksCacheMaxAgeMs: settings.OIDC_JWKS_CACHE_MS,
    jwksCooldownMs: settings.OIDC_JWKS_COOLDOWN_MS,
    ...readOidcUser(settings),
    ...readApprovalMaxAge(env),
  };
}

function readOidcUser(settings: EnvironmentSettings): { userClaim?: OidcUserClaim; usersExternal: boolean } {
  const { OIDC_USER_CLAIM: claim, OIDC_USERS_EXTERNAL: usersExternal } = settings;
  if (usersExternal && !claim)
    throw new ConfigError('OIDC_USERS_EXTERNAL', 'needs OIDC_USER_CLAIM (the claim that names the person)');
  return { ...(claim ? { userClaim: claim } : {}), usersExternal };
}

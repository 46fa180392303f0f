type Headers = Record<string, string | string[] | undefined>;

/** The bearer token of `Authorization: Bearer <token>`, if any. */
export function bearerToken(headers: Headers): string | undefined {
  const authorization = headers.authorization;
  if (typeof authorization !== 'string') return undefined;
  return /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
}

/** The credential presented: `X-API-Key: <key>` or `Authorization: Bearer <token>`. */
export function presentedCredential(headers: Headers): string | undefined {
  const apiKey = headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey.trim()) return apiKey.trim();
  return bearerToken(headers);
}

/** A compact JWS has three base64url parts; API keys never contain dots. */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);
}

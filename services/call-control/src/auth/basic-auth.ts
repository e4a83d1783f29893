export interface BasicCredentials {
  username: string;
  password: string;
}

/**
 * Reads `Authorization: Basic base64(username:password)` (RFC 7617). The password may
 * contain colons; the username may not. Anything else is null.
 */
export function parseBasicAuth(header: string | string[] | undefined): BasicCredentials | null {
  if (typeof header !== 'string') return null;
  const match = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header.trim());
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return null;
  const username = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  if (!password.length || username.length > 64 || password.length > 256) return null;
  return { username, password };
}

export type CredentialKind = 'account' | 'api-key';

/** What the username says the credential is: an AccountSid or an API key sid. */
export function credentialKind(username: string): CredentialKind | null {
  if (/^AC[0-9a-f]{32}$/.test(username)) return 'account';
  if (/^SK[0-9a-f]{32}$/.test(username)) return 'api-key';
  return null;
}

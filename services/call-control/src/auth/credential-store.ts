/** An account a valid credential belongs to, as much as authentication needs of it. */
export interface CredentialOwner {
  accountSid: string;
  active: boolean;
}

/**
 * What authentication needs from the folders that keep credentials (accounts/, api-keys/).
 * Owned here and implemented there, so that auth/ sits below them: their controllers use
 * auth's guard, and auth imports neither.
 */
export interface CredentialStore {
  /** The account when `authToken` is its auth token, else null. */
  ownerOfAuthToken(accountSid: string, authToken: string): Promise<CredentialOwner | null>;
  /** The key's account when `secret` is the API key's secret, else null. */
  ownerOfApiKey(keySid: string, secret: string): Promise<CredentialOwner | null>;
}

export const CREDENTIAL_STORE = Symbol('CREDENTIAL_STORE');

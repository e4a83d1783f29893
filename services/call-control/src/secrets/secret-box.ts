import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12;

/**
 * The key used when PARLEY_SECRETS_KEY is unset outside production. It is derived from a
 * public string, so it protects nothing: it only keeps development and test databases
 * readable across restarts and by the admin CLI.
 */
export const DEVELOPMENT_SECRETS_KEY = createHash('sha256')
  .update('parley development secrets key: not secret, never use in production')
  .digest();

/**
 * AES-256-GCM for secrets that must be recoverable (auth tokens sign webhooks; Meta
 * tokens and app secrets are sent or used as HMAC keys). Each value is bound to its
 * purpose by associated data, so a ciphertext copied into another row does not decrypt.
 * Format: `v1.<iv>.<tag>.<ciphertext>`, each part base64.
 *
 * Key rotation: values are always sealed with the current key and opened with the current
 * key or any of the `decryptKeys` (GCM's tag tells which key sealed a value), so replicas
 * can move to a new key one by one; `reseal` then moves stored values to the current key.
 */
export class SecretBox {
  private readonly key: Buffer;
  private readonly decryptKeys: readonly Buffer[];

  constructor(key: Buffer, decryptKeys: readonly Buffer[] = []) {
    for (const k of [key, ...decryptKeys]) {
      if (k.length !== 32) throw new Error('a secrets key must be 32 bytes');
    }
    this.key = Buffer.from(key);
    this.decryptKeys = decryptKeys.map((k) => Buffer.from(k));
  }

  /** The current key (PARLEY_SECRETS_KEY) and the older ones still accepted for opening. */
  static fromBase64(base64: string | undefined, decryptKeys: readonly string[] = []): SecretBox {
    return new SecretBox(
      base64 ? Buffer.from(base64, 'base64') : DEVELOPMENT_SECRETS_KEY,
      decryptKeys.map((k) => Buffer.from(k, 'base64')),
    );
  }

  encrypt(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, iv, tag, ciphertext]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64')))
      .join('.');
  }

  /** Throws when the value was not made with one of the keys and this context (or was altered). */
  decrypt(sealed: string, context: string): string {
    return this.open(sealed, context).plaintext;
  }

  /**
   * The value sealed again with the current key, or null when it already is (for
   * re-encrypting stored secrets after a key change).
   */
  reseal(sealed: string, context: string): string | null {
    const { plaintext, current } = this.open(sealed, context);
    return current ? null : this.encrypt(plaintext, context);
  }

  private open(sealed: string, context: string): { plaintext: string; current: boolean } {
    const [version, iv, tag, ciphertext, ...rest] = sealed.split('.');
    if (version !== VERSION || !iv || !tag || ciphertext === undefined || rest.length) {
      throw new Error('not a sealed secret');
    }
    for (const key of [this.key, ...this.decryptKeys]) {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      try {
        const plaintext = Buffer.concat([
          decipher.update(Buffer.from(ciphertext, 'base64')),
          decipher.final(),
        ]).toString('utf8');
        return { plaintext, current: key === this.key };
      } catch {
        // Not this key (or altered): try the next.
      }
    }
    throw new Error('the sealed secret does not open with any configured key');
  }
}

/** Associated data naming what a sealed value is, so values cannot be swapped between rows. */
export const secretContext = {
  authToken: (accountSid: string) => `account:${accountSid}:auth_token`,
  metaAccessToken: (senderSid: string) => `sender:${senderSid}:meta_access_token`,
  metaAppSecret: (senderSid: string) => `sender:${senderSid}:meta_app_secret`,
};

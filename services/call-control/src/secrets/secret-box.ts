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
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('the secrets key must be 32 bytes');
    this.key = Buffer.from(key);
  }

  static fromBase64(base64: string | undefined): SecretBox {
    return new SecretBox(base64 ? Buffer.from(base64, 'base64') : DEVELOPMENT_SECRETS_KEY);
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

  /** Throws when the value was not made with this key and context (or was altered). */
  decrypt(sealed: string, context: string): string {
    const [version, iv, tag, ciphertext, ...rest] = sealed.split('.');
    if (version !== VERSION || !iv || !tag || ciphertext === undefined || rest.length) {
      throw new Error('not a sealed secret');
    }
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([
      decipher.update(Buffer.from(ciphertext, 'base64')),
      decipher.final(),
    ]).toString('utf8');
  }
}

/** Associated data naming what a sealed value is, so values cannot be swapped between rows. */
export const secretContext = {
  authToken: (accountSid: string) => `account:${accountSid}:auth_token`,
  metaAccessToken: (senderSid: string) => `sender:${senderSid}:meta_access_token`,
  metaAppSecret: (senderSid: string) => `sender:${senderSid}:meta_app_secret`,
};

import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header Meta signs webhook deliveries with. */
export const HUB_SIGNATURE_HEADER = 'x-hub-signature-256';

const PREFIX = 'sha256=';
const HEX_SHA256 = /^[0-9a-f]{64}$/i;

function toBuffer(body: Buffer | Uint8Array | string): Buffer {
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
}

/** `sha256=<hex HMAC-SHA256(appSecret, rawBody)>`: what Meta puts in `X-Hub-Signature-256`. */
export function signHubSignature(rawBody: Buffer | Uint8Array | string, appSecret: string): string {
  return PREFIX + createHmac('sha256', appSecret).update(toBuffer(rawBody)).digest('hex');
}

/**
 * Checks `X-Hub-Signature-256` against the exact bytes received. The comparison is
 * constant-time; a missing, malformed or differently-sized header is simply invalid.
 * The body must be the raw bytes: re-serialised JSON would not match.
 */
export function verifyHubSignature(
  rawBody: Buffer | Uint8Array | string,
  header: string | readonly string[] | undefined,
  appSecret: string,
): boolean {
  if (typeof header !== 'string' || appSecret.length === 0) return false;
  const value = header.trim();
  if (!value.toLowerCase().startsWith(PREFIX)) return false;
  const hex = value.slice(PREFIX.length);
  if (!HEX_SHA256.test(hex)) return false;
  const expected = createHmac('sha256', appSecret).update(toBuffer(rawBody)).digest();
  const received = Buffer.from(hex, 'hex');
  return received.length === expected.length && timingSafeEqual(received, expected);
}

import { createHmac, timingSafeEqual } from 'node:crypto';

/** `X-Hub-Signature-256` value: `sha256=` + hex HMAC-SHA256 of the raw body with the app secret. */
export function signWebhookBody(appSecret: string, rawBody: Buffer | string): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}

/** Constant-time check of a signature header, as a receiver does it. */
export function verifyWebhookSignature(
  appSecret: string,
  rawBody: Buffer | string,
  header: string | undefined,
): boolean {
  if (!header) return false;
  const expected = Buffer.from(signWebhookBody(appSecret, rawBody));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

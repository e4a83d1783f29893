import { randomBytes, randomInt } from 'node:crypto';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomString(length: number, alphabet = ALPHANUMERIC): string {
  let out = '';
  for (let i = 0; i < length; i += 1) out += alphabet[randomInt(0, alphabet.length)];
  return out;
}

/** A Graph object id: 15 digits, no leading zero (phone number ids, WABA ids). */
export function graphObjectId(): string {
  return `${randomInt(1, 10)}${randomString(14, '0123456789')}`;
}

/** Looks like a long-lived system-user token (EAA...), never logged. */
export function accessToken(): string {
  return `EAAsim${randomString(90)}`;
}

/** A Meta app secret: 32 hex characters. */
export function appSecret(): string {
  return randomBytes(16).toString('hex');
}

export function verifyToken(): string {
  return randomString(24);
}

/** Graph's per-request trace id, as in every error envelope. */
export function fbtraceId(): string {
  return `A${randomString(22, `${ALPHANUMERIC}-_`)}`;
}

function thriftString(fieldHeader: number, text: string): Buffer {
  return Buffer.concat([Buffer.from([fieldHeader, text.length]), Buffer.from(text, 'ascii')]);
}

/**
 * A WhatsApp call id. Real ones are base64 of a small Thrift-compact structure holding
 * caller, a 128-bit hex id and callee; these are built the same way so they look and
 * length-vary like the real thing.
 */
export function wacid(from: string, to: string): string {
  const body = Buffer.concat([
    Buffer.from([0x1c]),
    thriftString(0x18, from),
    Buffer.from([0x15, 0x02, 0x00, 0x12]),
    thriftString(0x18, randomBytes(16).toString('hex').toUpperCase()),
    Buffer.from([0x1c]),
    thriftString(0x18, to),
    Buffer.from([0x15, 0x02, 0x00, 0x15, 0x0a, 0x00]),
  ]);
  return `wacid.${body.toString('base64')}`;
}

/** A WhatsApp message id (wamid.), same construction as call ids. */
export function wamid(waId: string): string {
  const body = Buffer.concat([
    thriftString(0x18, waId),
    Buffer.from([0x15, 0x02, 0x00, 0x11]),
    thriftString(0x18, randomBytes(10).toString('hex').toUpperCase()),
    Buffer.from([0x00]),
  ]);
  return `wamid.${body.toString('base64')}`;
}

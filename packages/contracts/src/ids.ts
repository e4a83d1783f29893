import { randomBytes } from 'node:crypto';
import { z } from 'zod';

/**
 * Twilio-style resource identifiers: a two-letter prefix and 32 lowercase hex digits.
 * Each kind is a branded string so a CallSid can never be passed where an AccountSid
 * is expected.
 */
export const SID_PREFIXES = {
  account: 'AC',
  call: 'CA',
  application: 'AP',
  apiKey: 'SK',
  recording: 'RE',
  sender: 'XE',
  event: 'EV',
  delivery: 'WD',
  notification: 'NO',
  stream: 'MZ',
  message: 'SM',
  content: 'HX',
} as const;
export type SidPrefix = (typeof SID_PREFIXES)[keyof typeof SID_PREFIXES];

function sidSchema<P extends SidPrefix>(prefix: P) {
  return z
    .string()
    .regex(new RegExp(`^${prefix}[0-9a-f]{32}$`), `must be ${prefix} followed by 32 hex digits`)
    .brand<`${P}Sid`>();
}

export const AccountSid = sidSchema('AC');
export type AccountSid = z.infer<typeof AccountSid>;
export const CallSid = sidSchema('CA');
export type CallSid = z.infer<typeof CallSid>;
export const ApplicationSid = sidSchema('AP');
export type ApplicationSid = z.infer<typeof ApplicationSid>;
export const ApiKeySid = sidSchema('SK');
export type ApiKeySid = z.infer<typeof ApiKeySid>;
export const RecordingSid = sidSchema('RE');
export type RecordingSid = z.infer<typeof RecordingSid>;
export const SenderSid = sidSchema('XE');
export type SenderSid = z.infer<typeof SenderSid>;
export const MessageSid = sidSchema('SM');
export type MessageSid = z.infer<typeof MessageSid>;
export const ContentSid = sidSchema('HX');
export type ContentSid = z.infer<typeof ContentSid>;
export const NotificationSid = sidSchema('NO');
export type NotificationSid = z.infer<typeof NotificationSid>;

type SidOf<P extends SidPrefix> = string & z.BRAND<`${P}Sid`>;

/** A fresh random sid of the given kind (128 bits of entropy, like Twilio's). */
export function newSid<P extends SidPrefix>(prefix: P): SidOf<P> {
  return `${prefix}${randomBytes(16).toString('hex')}` as SidOf<P>;
}

/**
 * A business-scoped user id (BSUID): Meta's id for a WhatsApp user who may hide their
 * number, scoped to one business portfolio. An ISO 3166 alpha-2 country code, a period and
 * up to 128 alphanumerics (`US.13491208655302741918`); parent ids add `ENT.`
 * (`US.ENT.11815799212886844830`).
 */
export const BSUID_PATTERN = /^[A-Z]{2}\.(?:ENT\.)?[A-Za-z0-9]{1,128}$/;

/**
 * `whatsapp:+<E.164>`: how Twilio addresses a WhatsApp user or sender; a user known only by
 * a BSUID is `whatsapp:<BSUID>` (`whatsapp:US.13491208655302741918`).
 */
export const WhatsAppAddress = z
  .string()
  .regex(
    /^whatsapp:(?:\+[1-9][0-9]{6,14}|[A-Z]{2}\.(?:ENT\.)?[A-Za-z0-9]{1,128})$/,
    'must be whatsapp:+ followed by an E.164 number, or whatsapp: followed by a BSUID',
  );
export type WhatsAppAddress = z.infer<typeof WhatsAppAddress>;

/** Whether a `whatsapp:` address names a user by BSUID rather than by phone number. */
export function isBsuidAddress(address: string): boolean {
  return BSUID_PATTERN.test(address.replace(/^whatsapp:/, ''));
}

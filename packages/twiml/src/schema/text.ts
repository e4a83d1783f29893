/** Rules for the text content of elements (`<Number>`, `<Play>`, `<WhatsApp>`...). */
import { isE164, type NumberCheck } from './attributes';

export type TextRule =
  /** Any non-blank text. */
  | 'text'
  /** A relative or absolute URL, kept as written. */
  | 'url'
  /** A dialable number: digits with optional `+`, spaces, dashes, dots and parentheses (`415-123-4567`). */
  | 'phoneNumber'
  /** `+` and country code, valid per libphonenumber-js; a `whatsapp:` prefix is accepted and dropped. */
  | 'e164'
  /** A `sip:` or `sips:` URI. */
  | 'sipUri'
  /** A JSON value (TaskRouter task attributes). */
  | 'json';

export type TextCheck =
  { readonly ok: true; readonly value: string } | { readonly ok: false; readonly reason: string };

const PHONE_NUMBER = /^\+?[0-9 ().-]{1,40}$/;
const SIP_URI = /^sips?:\S+$/i;

export function checkText(
  rule: TextRule,
  value: string,
  numberCheck: NumberCheck = 'valid',
): TextCheck {
  switch (rule) {
    case 'text':
    case 'url':
      return { ok: true, value };
    case 'phoneNumber':
      if (PHONE_NUMBER.test(value) && /\d/.test(value)) return { ok: true, value };
      if (value.toLowerCase().startsWith('whatsapp:')) {
        return {
          ok: false,
          reason: `'${clip(value)}' is not a phone number: dial WhatsApp users with <WhatsApp>`,
        };
      }
      return { ok: false, reason: `'${clip(value)}' is not a phone number` };
    case 'e164': {
      const number = value.toLowerCase().startsWith('whatsapp:')
        ? value.slice('whatsapp:'.length)
        : value;
      if (isE164(number, numberCheck)) return { ok: true, value: number };
      return {
        ok: false,
        reason: `'${clip(value)}' is not an E.164 number with + and country code`,
      };
    }
    case 'sipUri':
      if (SIP_URI.test(value)) return { ok: true, value };
      return { ok: false, reason: `'${clip(value)}' is not a sip: URI` };
    case 'json':
      try {
        JSON.parse(value);
        return { ok: true, value };
      } catch {
        return { ok: false, reason: 'is not valid JSON' };
      }
  }
}

/** Shortens user text quoted in a message. */
export function clip(value: string, max = 60): string {
  return value.length <= max ? value : `${value.slice(0, max)}...`;
}

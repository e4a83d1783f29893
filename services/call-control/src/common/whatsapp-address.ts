import { BSUID_PATTERN } from '@parley/contracts';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

export interface ParsedWhatsAppAddress {
  /** `whatsapp:+<E.164>`, or `whatsapp:<BSUID>`. */
  address: string;
  /** `+<E.164>` (empty for a BSUID). */
  e164: string;
  /** Digits only: how Meta writes numbers (`wa_id`, `to`, `from`); a BSUID as it is. */
  digits: string;
  /** ISO 3166 alpha-2, when known. */
  country: string | undefined;
}

/**
 * `valid`: the number must be assigned in libphonenumber's metadata (the default);
 * `possible`: only its length must fit the country (for test numbers like +1 555 01xx).
 */
export type NumberCheck = 'valid' | 'possible';

export type AddressProblem = 'missing' | 'not-whatsapp' | 'invalid-number';

/**
 * Reads a `whatsapp:+E.164` address. A bare phone number is reported as `not-whatsapp`
 * (a PSTN destination, which WhatsApp calls can never reach), anything else that is not a
 * valid number as `invalid-number`.
 */
export function parseWhatsAppAddress(
  value: string | undefined,
  check: NumberCheck = 'valid',
): { ok: true; value: ParsedWhatsAppAddress } | { ok: false; problem: AddressProblem } {
  const raw = value?.trim();
  if (!raw) return { ok: false, problem: 'missing' };
  const lower = raw.toLowerCase();
  if (!lower.startsWith('whatsapp:')) {
    return { ok: false, problem: isPhoneNumber(raw) ? 'not-whatsapp' : 'invalid-number' };
  }
  const number = raw.slice('whatsapp:'.length).trim();
  if (BSUID_PATTERN.test(number)) {
    // A user known by a business-scoped user id: no number to check, its country is its prefix.
    return {
      ok: true,
      value: {
        address: `whatsapp:${number}`,
        e164: '',
        digits: number,
        country: number.slice(0, 2),
      },
    };
  }
  if (!/^\+[1-9]\d{6,14}$/.test(number)) return { ok: false, problem: 'invalid-number' };
  const parsed = parsePhoneNumberFromString(number);
  const acceptable = check === 'valid' ? parsed?.isValid() : parsed?.isPossible();
  if (!parsed || !acceptable) return { ok: false, problem: 'invalid-number' };
  const e164 = parsed.number;
  return {
    ok: true,
    value: { address: `whatsapp:${e164}`, e164, digits: e164.slice(1), country: parsed.country },
  };
}

function isPhoneNumber(raw: string): boolean {
  const parsed = parsePhoneNumberFromString(raw.startsWith('+') ? raw : `+${raw}`);
  return !!parsed && parsed.isPossible();
}

/** `whatsapp:+<digits>` from Meta's digits-only form (`whatsapp:<BSUID>` for a BSUID). */
export function whatsAppFromDigits(digits: string): string {
  if (BSUID_PATTERN.test(digits)) return `whatsapp:${digits}`;
  return `whatsapp:+${digits.replace(/^\+/, '')}`;
}

/** The country of a digits-only or E.164 number (or a BSUID's prefix), when known. */
export function countryOf(number: string): string | undefined {
  if (BSUID_PATTERN.test(number)) return number.slice(0, 2);
  const parsed = parsePhoneNumberFromString(number.startsWith('+') ? number : `+${number}`);
  return parsed?.country;
}

import { baseEnvSchema } from '@parley/nest-kit';
import { z } from 'zod';

const count = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** A comma-separated list, blanks dropped. */
const list = (pattern: RegExp, rule: string) =>
  z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
    )
    .refine((items) => items.every((item) => pattern.test(item)), rule);

/**
 * The sanctioned countries and regions of seed 001, by calling code: Cuba (53), Iran (98),
 * North Korea (850), Syria (963); Crimea (Ukrainian 380 65 and Sevastopol 380 69, Russian
 * 7 365 and 7 869), Donetsk (380 62, 380 71, Russian 7 949) and Luhansk (380 64, 380 72,
 * Russian 7 959), as far as numbering tells regions apart.
 */
export const SANCTIONED_CALLING_CODES =
  '53,98,850,963,38065,38069,7365,7869,38062,38071,7949,38064,38072,7959';
/** BSUIDs carry the user's country (ISO 3166 alpha-2), not a number. */
export const SANCTIONED_BSUID_COUNTRIES = 'CU,IR,KP,SY';

/**
 * Each rule's value, with WhatsApp's documented value as default (see `rules/rule-table.ts`
 * for which rule each answers and with which Twilio code).
 */
export const envSchema = baseEnvSchema({ httpPort: 3002 }).extend({
  /** Permission requests per user in any 24 h, and in any 7 days (WhatsApp: 1 and 2). */
  CONSENT_PERMISSION_REQUESTS_PER_24H: count(0, 1_000).default(1),
  CONSENT_PERMISSION_REQUESTS_PER_7D: count(0, 1_000).default(2),
  /** How long a temporary grant lasts (WhatsApp: 7 days). */
  CONSENT_TEMPORARY_GRANT_HOURS: count(1, 24 * 366).default(7 * 24),
  /**
   * Connected business-initiated calls per user in any 24 h. Twilio's docs and the seed say
   * 5; Meta has since published 10 and 100: a setting, the seed's value by default.
   */
  CONSENT_CONNECTED_CALLS_PER_24H: count(0, 10_000).default(5),
  /** Consecutive missed calls that re-prompt the user (2) and revoke the permission (4). */
  CONSENT_MISSED_CALLS_BEFORE_REPROMPT: count(1, 100).default(2),
  CONSENT_MISSED_CALLS_BEFORE_REVOKE: count(1, 100).default(4),
  /** Calling-code prefixes (digits) no call may go to or come from. */
  CONSENT_SANCTIONED_CALLING_CODES: list(/^[1-9][0-9]{0,7}$/, 'must be digit prefixes').default(
    SANCTIONED_CALLING_CODES,
  ),
  CONSENT_SANCTIONED_BSUID_COUNTRIES: list(/^[A-Z]{2}$/, 'must be ISO 3166 alpha-2 codes').default(
    SANCTIONED_BSUID_COUNTRIES,
  ),
  /**
   * How long a call slot reserved by a check is held before the call's first status event
   * confirms it (a call-control that crashed between the check and creating the call).
   */
  CONSENT_CALL_RESERVATION_HOLD_MS: count(1_000, 86_400_000).default(10 * 60_000),
  /** Durable consumer names (registry defaults: `consent.*` in @parley/contracts). */
  CALL_OUTCOMES_CONSUMER: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .default('consent-call-outcomes'),
  PERMISSION_REPLIES_CONSUMER: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .default('consent-permission-replies'),
});
export type ConsentEnv = z.infer<typeof envSchema>;

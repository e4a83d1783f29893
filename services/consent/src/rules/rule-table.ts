import { type ErrorCode } from '@parley/contracts';

/**
 * WhatsApp's calling rules, by name. Each names the setting that holds its value (WhatsApp's
 * documented value is the default, see `config/env.schema.ts`) and the Twilio error a
 * business gets when the rule refuses a call or a permission request (null: it never
 * refuses, it changes the state). A reply's `reason` starts with the rule's name.
 */
export const RULE_TABLE = {
  'sanctioned-country': {
    settings: ['CONSENT_SANCTIONED_CALLING_CODES', 'CONSENT_SANCTIONED_BSUID_COUNTRIES'],
    code: 37007,
    summary: 'No calls to or from Cuba, Iran, North Korea, Syria, Crimea, Donetsk, Luhansk',
  },
  'permission-required': {
    settings: [],
    code: 37000,
    summary: 'A business may call only a user who granted permission',
  },
  'permission-rejected': {
    settings: [],
    code: 37000,
    summary: 'The user declined the last permission request',
  },
  'permission-revoked': {
    settings: [],
    code: 37000,
    summary: 'The user withdrew the permission',
  },
  'permission-expired': {
    settings: ['CONSENT_TEMPORARY_GRANT_HOURS'],
    code: 37000,
    summary: 'A temporary grant lasts 7 days; a permanent one until revoked',
  },
  'missed-calls-revoke': {
    settings: ['CONSENT_MISSED_CALLS_BEFORE_REVOKE'],
    code: 37000,
    summary: '4 consecutive missed calls revoke the permission',
  },
  'missed-calls-reprompt': {
    settings: ['CONSENT_MISSED_CALLS_BEFORE_REPROMPT'],
    code: null,
    summary: '2 consecutive missed calls make WhatsApp ask the user again',
  },
  'connected-calls-24h': {
    settings: ['CONSENT_CONNECTED_CALLS_PER_24H'],
    code: 37006,
    summary: 'At most 5 connected business-initiated calls per user in 24 h',
  },
  'permission-requests-24h': {
    settings: ['CONSENT_PERMISSION_REQUESTS_PER_24H'],
    code: 37004,
    summary: 'At most 1 permission request per user in 24 h',
  },
  'permission-requests-7d': {
    settings: ['CONSENT_PERMISSION_REQUESTS_PER_7D'],
    code: 37004,
    summary: 'At most 2 permission requests per user in 7 days',
  },
  'callback-permission': {
    settings: [],
    code: null,
    summary: "A user's call grants permission when the sender's callback permission is on",
  },
  'meta-second-opinion': {
    settings: [],
    code: 37000,
    summary: "Meta's own permission check refused: the stricter answer wins",
  },
} as const satisfies Record<
  string,
  { settings: readonly string[]; code: ErrorCode | null; summary: string }
>;

export type RuleName = keyof typeof RULE_TABLE;

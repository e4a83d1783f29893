/** Closed value lists used by the attribute schema. */

/** `<Dial ringTone>`: the ISO 3166-1 alpha-2 codes Twilio has ringback tones for (plus `us-old`). */
export const RING_TONES = [
  'at',
  'au',
  'bg',
  'br',
  'be',
  'ch',
  'cl',
  'cn',
  'cz',
  'de',
  'dk',
  'ee',
  'es',
  'fi',
  'fr',
  'gr',
  'hu',
  'il',
  'in',
  'it',
  'lt',
  'jp',
  'mx',
  'my',
  'nl',
  'no',
  'nz',
  'ph',
  'pl',
  'pt',
  'ru',
  'se',
  'sg',
  'th',
  'uk',
  'us',
  'us-old',
  'tw',
  've',
  'za',
] as const;

export const DIAL_RECORD = [
  'do-not-record',
  'record-from-answer',
  'record-from-ringing',
  'record-from-answer-dual',
  'record-from-ringing-dual',
] as const;

/** `true` and `false` are kept by Twilio for backward compatibility. */
export const DIAL_RECORD_ALIASES = { true: 'record-from-answer', false: 'do-not-record' } as const;

export const RECORDING_EVENTS = ['in-progress', 'completed', 'absent'] as const;
export const CALL_PROGRESS_EVENTS = ['initiated', 'ringing', 'answered', 'completed'] as const;
export const CONFERENCE_EVENTS = [
  'start',
  'end',
  'join',
  'leave',
  'mute',
  'hold',
  'modify',
  'speaker',
  'announcement',
] as const;
export const CONVERSATION_EVENTS = [
  'call-initiated',
  'call-ringing',
  'call-answered',
  'call-completed',
] as const;
export const TRIM = ['trim-silence', 'do-not-trim'] as const;
export const RECORDING_TRACK = ['inbound', 'outbound', 'both'] as const;
export const MEDIA_TRACK = ['inbound_track', 'outbound_track', 'both_tracks'] as const;
export const CONFERENCE_REGIONS = ['us1', 'us2', 'ie1', 'sg1', 'br1', 'au1', 'jp1', 'de1'] as const;
export const CONFERENCE_BEEP = ['true', 'false', 'onEnter', 'onExit'] as const;
export const CONFERENCE_RECORD = ['do-not-record', 'record-from-start'] as const;
export const JITTER_BUFFER_SIZES = ['large', 'medium', 'small', 'off'] as const;
export const MACHINE_DETECTION = ['Enable', 'DetectMessageEnd'] as const;
export const CARD_TYPES = [
  'visa',
  'mastercard',
  'amex',
  'maestro',
  'discover',
  'optima',
  'jcb',
  'diners-club',
  'enroute',
] as const;
export const BANK_ACCOUNT_TYPES = [
  'consumer-checking',
  'consumer-savings',
  'commercial-checking',
  'commercial-savings',
] as const;
export const PROMPT_FOR = [
  'payment-card-number',
  'expiration-date',
  'security-code',
  'postal-code',
  'payment-processing',
  'bank-account-number',
  'bank-routing-number',
] as const;
export const PROMPT_ERROR_TYPES = [
  'timeout',
  'invalid-card-number',
  'invalid-card-type',
  'invalid-date',
  'invalid-security-code',
  'internal-error',
  'input-matching-failed',
] as const;

// SSML (as Twilio's <Say> accepts it)
export const SSML_BREAK_STRENGTH = [
  'none',
  'x-weak',
  'weak',
  'medium',
  'strong',
  'x-strong',
] as const;
export const SSML_EMPHASIS_LEVEL = ['strong', 'moderate', 'reduced'] as const;
export const SSML_PHONEME_ALPHABET = [
  'ipa',
  'x-sampa',
  'x-amazon-jyutping',
  'x-amazon-pinyin',
  'x-amazon-pron-kana',
  'x-amazon-yomigana',
] as const;
export const SSML_SAY_AS_INTERPRET_AS = [
  'characters',
  'spell-out',
  'cardinal',
  'number',
  'ordinal',
  'digits',
  'fraction',
  'unit',
  'date',
  'time',
  'address',
  'expletive',
  'telephone',
] as const;
export const SSML_SAY_AS_FORMAT = [
  'mdy',
  'dmy',
  'ymd',
  'md',
  'dm',
  'ym',
  'my',
  'd',
  'm',
  'y',
  'yyyymmdd',
] as const;

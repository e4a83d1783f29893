/**
 * Attribute types: the vocabulary of the declarative schema. Each TwiML attribute is
 * described by one plain object (type, allowed values, range, default); one function
 * parses any of them, one formats any of them, and the TypeScript type of the parsed
 * value is computed from the same object, so the schema is the only source of truth.
 */
import { isPossiblePhoneNumber, isValidPhoneNumber } from 'libphonenumber-js';

/**
 * How strictly a WhatsApp number (`<WhatsApp>`, `<Dial callerId="whatsapp:...">`) is checked:
 * `valid` (assigned numbers, libphonenumber's metadata; the default) or `possible` (the right
 * length for its country only, for fictional test numbers like +1 555 01xx). The same
 * setting as call-control's `WHATSAPP_NUMBER_CHECK`.
 */
export type NumberCheck = 'valid' | 'possible';

export type HttpMethod = 'GET' | 'POST';

interface Documented {
  /** A short human description, for error messages and documentation. */
  readonly description?: string;
}

/** Free text, optionally bounded or shaped. */
export interface StringAttribute extends Documented {
  readonly type: 'string';
  readonly default?: string;
  readonly required?: boolean;
  readonly maxLength?: number;
  /** Must match (checked on the trimmed value). Keep patterns linear: no nested quantifiers. */
  readonly pattern?: RegExp;
  /** What the pattern means, for error messages. */
  readonly expected?: string;
}

/** A relative or absolute URL, kept exactly as written (resolved later against the document URL). */
export interface UrlAttribute extends Documented {
  readonly type: 'url';
  readonly required?: boolean;
}

/** `true` or `false` (case-insensitive). */
export interface BooleanAttribute extends Documented {
  readonly type: 'boolean';
  readonly default?: boolean;
}

/** A whole number in a range. */
export interface IntegerAttribute extends Documented {
  readonly type: 'integer';
  readonly default?: number;
  readonly required?: boolean;
  readonly min?: number;
  readonly max?: number;
}

/** One of a fixed list of values (case-sensitive), with optional aliases mapped to canonical values. */
export interface EnumAttribute extends Documented {
  readonly type: 'enum';
  readonly values: readonly string[];
  readonly default?: string;
  readonly required?: boolean;
  readonly aliases?: Readonly<Record<string, string>>;
}

/** A space-separated (or comma-separated) set of values from a fixed list; parsed de-duplicated, in list order. */
export interface SetAttribute extends Documented {
  readonly type: 'set';
  readonly values: readonly string[];
  readonly default?: readonly string[];
}

/** A space-separated list of whole numbers; parsed de-duplicated, ascending. */
export interface IntegerListAttribute extends Documented {
  readonly type: 'integerList';
  readonly min?: number;
  readonly max?: number;
}

/** `GET` or `POST` (case-insensitive, normalized to upper case). */
export interface MethodAttribute extends Documented {
  readonly type: 'method';
  readonly default: HttpMethod;
}

/** Gather's `speechTimeout`: `auto` or a whole number of seconds. */
export interface SpeechTimeoutAttribute extends Documented {
  readonly type: 'speechTimeout';
}

/** Dial's `callerId`: a number, `client:name`, a SIP user, or `whatsapp:+E.164`; never whitespace. */
export interface CallerIdAttribute extends Documented {
  readonly type: 'callerId';
}

/** DTMF keys: one key (Gather) or any combination (Record); the empty string disables. */
export interface KeysAttribute extends Documented {
  readonly type: 'keys';
  readonly multiple: boolean;
  readonly default: string;
}

/** DTMF digits to play or send: `0-9`, `*`, `#`, `w` (half a second) and `W` (one second). */
export interface DigitsAttribute extends Documented {
  readonly type: 'digits';
}

/** A BCP 47-shaped language tag such as `en-US` or `yue-Hant-HK`. */
export interface LanguageAttribute extends Documented {
  readonly type: 'language';
  readonly default?: string;
  readonly required?: boolean;
}

/** A `<Say>` voice: `man`, `woman`, `alice` or `Provider.Name` (`Polly.Joanna`, `Google.en-US-Standard-C`...). */
export interface VoiceAttribute extends Documented {
  readonly type: 'voice';
  readonly default?: string;
}

export type AttributeSpec =
  | StringAttribute
  | UrlAttribute
  | BooleanAttribute
  | IntegerAttribute
  | EnumAttribute
  | SetAttribute
  | IntegerListAttribute
  | MethodAttribute
  | SpeechTimeoutAttribute
  | CallerIdAttribute
  | KeysAttribute
  | DigitsAttribute
  | LanguageAttribute
  | VoiceAttribute;

export type AttributeSpecs = Readonly<Record<string, AttributeSpec>>;

/** The TypeScript type of a parsed attribute value, computed from its spec. */
export type AttributeValue<S> = S extends { readonly type: 'boolean' }
  ? boolean
  : S extends { readonly type: 'integer' }
    ? number
    : S extends { readonly type: 'enum'; readonly values: readonly (infer V)[] }
      ? V
      : S extends { readonly type: 'set'; readonly values: readonly (infer V)[] }
        ? readonly V[]
        : S extends { readonly type: 'integerList' }
          ? readonly number[]
          : S extends { readonly type: 'method' }
            ? HttpMethod
            : S extends { readonly type: 'speechTimeout' }
              ? number | 'auto'
              : string;

type IsPresent<S> = S extends { readonly default: unknown }
  ? true
  : S extends { readonly required: true }
    ? true
    : false;

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/**
 * The parsed attributes of an element: attributes with a default (defaults applied) or
 * marked required are always present, the others are optional.
 */
export type AttributesOf<A extends AttributeSpecs> = Simplify<
  { readonly [K in keyof A as IsPresent<A[K]> extends true ? K : never]: AttributeValue<A[K]> } & {
    readonly [K in keyof A as IsPresent<A[K]> extends true ? never : K]?: AttributeValue<A[K]>;
  }
>;

/** Any parsed attribute value. */
export type AnyAttributeValue = string | number | boolean | readonly string[] | readonly number[];

export type AttributeParse =
  | { readonly ok: true; readonly value: AnyAttributeValue }
  | { readonly ok: false; readonly reason: string }
  /** An empty value where one is needed: Twilio ignores it, so the default applies (with a warning). */
  | { readonly ok: 'empty' };

const INTEGER = /^[+]?\d{1,15}$/;
const LANGUAGE_TAG = /^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8}){0,4}$/;
// Provider voices carry names such as `Polly.Mía-Generative`: anything without whitespace after the dot.
const VOICE = /^(?:man|woman|alice|[A-Za-z][A-Za-z0-9]{0,31}\.\S{1,100})$/;
const DIGITS = /^[0-9*#wW]+$/;
const ONE_KEY = /^[0-9*#]?$/;
const KEYS = /^[0-9*#]*$/;
const NO_WHITESPACE = /^\S+$/;
const SET_SEPARATOR = /[\s,]+/;

function quoteList(values: readonly string[]): string {
  return values.map((v) => `'${v}'`).join(', ');
}

function parseInteger(
  raw: string,
  min: number | undefined,
  max: number | undefined,
): AttributeParse {
  if (!INTEGER.test(raw)) return { ok: false, reason: 'must be a whole number' };
  const value = Number(raw);
  if (min !== undefined && value < min) return { ok: false, reason: `must be at least ${min}` };
  if (max !== undefined && value > max) return { ok: false, reason: `must be at most ${max}` };
  return { ok: true, value };
}

/**
 * Validates `whatsapp:+E.164`: the prefix, a `+`, digits only, and a number that
 * libphonenumber-js knows to be valid (or, with `possible`, possible) for its country.
 */
export function isWhatsAppAddress(value: string, check: NumberCheck = 'valid'): boolean {
  if (!value.toLowerCase().startsWith('whatsapp:')) return false;
  return isE164(value.slice('whatsapp:'.length), check);
}

// libphonenumber-js takes ~10 us per number; documents repeat the same few numbers.
const E164_CACHE = new Map<string, boolean>();
const E164_CACHE_SIZE = 1024;

/**
 * `+` and country code, digits only, 8 to 15 digits in all, and valid per libphonenumber-js
 * (`possible`: of a possible length for its country).
 */
export function isE164(value: string, check: NumberCheck = 'valid'): boolean {
  if (!/^\+[1-9]\d{6,14}$/.test(value)) return false;
  const key = `${check}:${value}`;
  let valid = E164_CACHE.get(key);
  if (valid === undefined) {
    valid = check === 'valid' ? isValidPhoneNumber(value) : isPossiblePhoneNumber(value);
    if (E164_CACHE.size >= E164_CACHE_SIZE) E164_CACHE.clear();
    E164_CACHE.set(key, valid);
  }
  return valid;
}

/** Parses one raw attribute value (as decoded by the XML parser) against its spec. */
export function parseAttribute(
  spec: AttributeSpec,
  raw: string,
  numberCheck: NumberCheck = 'valid',
): AttributeParse {
  const trimmed = raw.trim();
  switch (spec.type) {
    case 'string':
      if (spec.maxLength !== undefined && raw.length > spec.maxLength) {
        return { ok: false, reason: `must be at most ${spec.maxLength} characters` };
      }
      if (spec.pattern !== undefined && !spec.pattern.test(trimmed)) {
        if (trimmed === '' && spec.required !== true) return { ok: 'empty' };
        return {
          ok: false,
          reason: `must be ${spec.expected ?? `of the form ${String(spec.pattern)}`}`,
        };
      }
      return { ok: true, value: raw };
    case 'url':
      return { ok: true, value: raw };
    case 'boolean': {
      if (trimmed === '') return { ok: 'empty' };
      const lower = trimmed.toLowerCase();
      if (lower === 'true') return { ok: true, value: true };
      if (lower === 'false') return { ok: true, value: false };
      return { ok: false, reason: "must be 'true' or 'false'" };
    }
    case 'integer':
      if (trimmed === '') return { ok: 'empty' };
      return parseInteger(trimmed, spec.min, spec.max);
    case 'enum': {
      if (trimmed === '') return { ok: 'empty' };
      if (spec.values.includes(trimmed)) return { ok: true, value: trimmed };
      const alias =
        spec.aliases !== undefined && Object.hasOwn(spec.aliases, trimmed)
          ? spec.aliases[trimmed]
          : undefined;
      if (alias !== undefined) return { ok: true, value: alias };
      const allowed = [...spec.values, ...Object.keys(spec.aliases ?? {})];
      return { ok: false, reason: `must be one of ${quoteList(allowed)}` };
    }
    case 'set': {
      if (trimmed === '') return { ok: 'empty' };
      const items = trimmed.split(SET_SEPARATOR).filter((s) => s !== '');
      for (const item of items) {
        if (!spec.values.includes(item)) {
          return {
            ok: false,
            reason: `has '${item}', expected a space-separated set of ${quoteList(spec.values)}`,
          };
        }
      }
      return { ok: true, value: Object.freeze(spec.values.filter((v) => items.includes(v))) };
    }
    case 'integerList': {
      if (trimmed === '') return { ok: 'empty' };
      const values = new Set<number>();
      for (const item of trimmed.split(SET_SEPARATOR)) {
        if (item === '') continue;
        const parsed = parseInteger(item, spec.min, spec.max);
        if (parsed.ok !== true)
          return { ok: false, reason: `has '${item}', expected space-separated whole numbers` };
        values.add(parsed.value as number);
      }
      return { ok: true, value: Object.freeze([...values].sort((a, b) => a - b)) };
    }
    case 'method': {
      if (trimmed === '') return { ok: 'empty' };
      const upper = trimmed.toUpperCase();
      if (upper === 'GET' || upper === 'POST') return { ok: true, value: upper };
      return { ok: false, reason: "must be 'GET' or 'POST'" };
    }
    case 'speechTimeout':
      if (trimmed === '') return { ok: 'empty' };
      if (trimmed === 'auto') return { ok: true, value: 'auto' };
      return INTEGER.test(trimmed)
        ? { ok: true, value: Number(trimmed) }
        : { ok: false, reason: "must be 'auto' or a whole number of seconds" };
    case 'callerId':
      if (trimmed === '') return { ok: 'empty' };
      if (trimmed.toLowerCase().startsWith('whatsapp:')) {
        return isWhatsAppAddress(trimmed, numberCheck)
          ? { ok: true, value: trimmed }
          : {
              ok: false,
              reason:
                "of the 'whatsapp:' form must be 'whatsapp:' followed by a valid E.164 number (+ and country code)",
            };
      }
      return NO_WHITESPACE.test(trimmed)
        ? { ok: true, value: trimmed }
        : {
            ok: false,
            reason: 'must be a phone number, a client identifier or a SIP user, without whitespace',
          };
    case 'keys':
      return (spec.multiple ? KEYS : ONE_KEY).test(trimmed)
        ? { ok: true, value: trimmed }
        : {
            ok: false,
            reason: spec.multiple
              ? "must be made of the keys 0-9, '*' and '#'"
              : "must be one key: 0-9, '*' or '#' (or empty)",
          };
    case 'digits':
      if (trimmed === '') return { ok: 'empty' };
      return DIGITS.test(trimmed)
        ? { ok: true, value: trimmed }
        : { ok: false, reason: "must be made of 0-9, '*', '#', 'w' and 'W'" };
    case 'language':
      if (trimmed === '')
        return spec.required === true
          ? { ok: false, reason: 'must be a language tag such as en-US' }
          : { ok: 'empty' };
      return LANGUAGE_TAG.test(trimmed)
        ? { ok: true, value: trimmed }
        : { ok: false, reason: 'must be a language tag such as en-US' };
    case 'voice':
      if (trimmed === '') return { ok: 'empty' };
      return VOICE.test(trimmed)
        ? { ok: true, value: trimmed }
        : {
            ok: false,
            reason: "must be 'man', 'woman', 'alice' or a provider voice such as 'Polly.Joanna'",
          };
  }
}

/** Formats a parsed value back to its attribute text. */
export function formatAttribute(spec: AttributeSpec, value: AnyAttributeValue): string {
  switch (spec.type) {
    case 'set':
    case 'integerList':
      return Array.isArray(value) ? value.join(' ') : String(value);
    case 'string':
    case 'url':
    case 'boolean':
    case 'integer':
    case 'enum':
    case 'method':
    case 'speechTimeout':
    case 'callerId':
    case 'keys':
    case 'digits':
    case 'language':
    case 'voice':
      return String(value);
  }
}

/** Whether a parsed value equals the spec's default (so a serializer may leave it out). */
export function isDefaultValue(spec: AttributeSpec, value: AnyAttributeValue): boolean {
  const def = 'default' in spec ? spec.default : undefined;
  if (def === undefined) return false;
  if (Array.isArray(def) && Array.isArray(value)) {
    return def.length === value.length && def.every((v, i) => v === value[i]);
  }
  return def === value;
}

/** Whether the spec gives the attribute a value when it is absent. */
export function defaultOf(spec: AttributeSpec): AnyAttributeValue | undefined {
  return 'default' in spec ? spec.default : undefined;
}

export function isRequired(spec: AttributeSpec): boolean {
  return 'required' in spec && spec.required === true;
}

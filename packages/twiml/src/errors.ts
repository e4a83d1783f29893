/**
 * Twilio's error codes for TwiML documents. The numbers are Twilio's own so that a
 * business's existing error handling (and its Debugger habits) keep working.
 */

/** Not well-formed TwiML: not XML, a root other than `<Response>`, text where none belongs, a DOCTYPE, nesting too deep. */
export const DOCUMENT_PARSE_FAILURE = 12100;
/** Schema violation: unknown verb or noun, bad attribute value, forbidden nesting, missing content. Also the code of every warning. */
export const SCHEMA_VALIDATION_ERROR = 12200;
/** The document is larger than 64 kB. */
export const RESPONSE_BODY_TOO_LARGE = 11750;

export const TWIML_ERROR_CODES = {
  DOCUMENT_PARSE_FAILURE,
  SCHEMA_VALIDATION_ERROR,
  RESPONSE_BODY_TOO_LARGE,
} as const;

export type TwimlErrorCode = (typeof TWIML_ERROR_CODES)[keyof typeof TWIML_ERROR_CODES];

/** Largest accepted document, in UTF-8 bytes (Twilio's 64 kB). */
export const MAX_DOCUMENT_BYTES = 64 * 1024;
/** Deepest accepted element nesting, `<Response>` being depth 1. */
export const MAX_DEPTH = 32;
/** At most this many warnings are collected; later ones are dropped. */
export const MAX_WARNINGS = 100;

/** Why a document was rejected. `line` and `column` are 1-based when present. */
export interface TwimlError {
  readonly code: TwimlErrorCode;
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
}

/** Something Twilio would accept but log (an unknown attribute, an empty value, an unreachable verb). */
export interface TwimlWarning {
  readonly code: typeof SCHEMA_VALIDATION_ERROR;
  readonly message: string;
  readonly line: number;
  readonly column: number;
}

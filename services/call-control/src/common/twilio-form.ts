import { type ErrorCode, isErrorCode, ParleyError } from '@parley/contracts';
import { z } from 'zod';

/**
 * Twilio's form encoding (the 2010 API's request bodies and query strings) as pure
 * functions, and the zod field builders each resource's schema is made of. The body
 * parser has already turned the form into an object whose repeated keys are arrays.
 */
export type FormFields = Record<string, unknown>;

/** The parsed form body, or no fields when the body is not a form (absent, JSON array...). */
export function formFields(body: unknown): FormFields {
  return typeof body === 'object' && body !== null && !Array.isArray(body)
    ? (body as FormFields)
    : {};
}

/** A field's value, trimmed; empty counts as absent, and a repeated key takes its first value. */
export function firstValue(value: unknown): string | undefined {
  const first = Array.isArray(value) ? (value as unknown[])[0] : value;
  if (typeof first !== 'string') return undefined;
  const trimmed = first.trim();
  return trimmed.length ? trimmed : undefined;
}

/** Every value of a repeated key; space- or comma-separated values are split too (Twilio accepts both). */
export function listValues(value: unknown): string[] {
  const values = (Array.isArray(value) ? (value as unknown[]) : [value]).filter(
    (x): x is string => typeof x === 'string',
  );
  return values.flatMap((x) => x.split(/[\s,]+/)).filter((x) => x.length > 0);
}

/** `'true'` / `'false'` in any case; anything else is returned as is (and fails the schema). */
export function booleanValue(value: unknown): boolean | string | undefined {
  const text = firstValue(value);
  const lower = text?.toLowerCase();
  return lower === 'true' ? true : lower === 'false' ? false : text;
}

/** An integer written in decimal digits; anything else is returned as is (and fails the schema). */
export function integerValue(value: unknown): number | string | undefined {
  const text = firstValue(value);
  return text !== undefined && /^-?\d+$/.test(text) ? Number(text) : text;
}

/** The allowed spelling of a value matched without regard to case, or the value itself. */
export function caseInsensitiveValue(
  value: unknown,
  allowed: readonly string[],
): string | undefined {
  const text = firstValue(value);
  if (text === undefined) return undefined;
  return allowed.find((a) => a.toLowerCase() === text.toLowerCase()) ?? text;
}

/** An absolute `http(s)://` URL of at most 4 kB. */
export function isHttpUrl(value: string): boolean {
  if (value.length > 4096) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.length > 0;
  } catch {
    return false;
  }
}

/** A value quoted in an error message, cut to a readable length. */
export function truncate(value: string, max = 80): string {
  return value.length > max ? `${value.slice(0, max - 3)}...` : value;
}

/** Fails a field, or a rule across fields, with a Twilio error code and message. */
export function twilioIssue(ctx: z.RefinementCtx, twilioCode: ErrorCode, message: string): void {
  ctx.addIssue({ code: z.ZodIssueCode.custom, message, params: { twilioCode }, fatal: true });
}

const messageMap =
  (message: string): z.ZodErrorMap =>
  () => ({ message });

/**
 * Field builders. Each takes the raw form value (string, repeated-key array or absent),
 * normalizes it like Twilio and validates it, failing with Twilio's code and message; the
 * inner schema is what the OpenAPI document shows.
 */
export const formField = {
  /** Free text, trimmed, optionally bounded. */
  text(name: string, max?: number) {
    const inner =
      max === undefined
        ? z.string()
        : z.string().max(max, `${name} must be at most ${max} characters`);
    return z.preprocess(firstValue, inner.optional());
  },

  /** Required text: its absence fails with the given code and message. */
  required(twilioCode: ErrorCode, message: string) {
    return z.preprocess((value, ctx) => {
      const text = firstValue(value);
      if (text === undefined) twilioIssue(ctx, twilioCode, message);
      return text;
    }, z.string());
  },

  url(name: string, twilioCode: ErrorCode = 21205) {
    return z.preprocess((value, ctx) => {
      const text = firstValue(value);
      if (text !== undefined && !isHttpUrl(text))
        twilioIssue(ctx, twilioCode, `${name} is not a valid URL: ${truncate(text)}`);
      return text;
    }, z.string().url().optional());
  },

  method(name: string) {
    return z.preprocess(
      (value) => firstValue(value)?.toUpperCase(),
      z.enum(['GET', 'POST'], { errorMap: messageMap(`${name} must be GET or POST`) }).optional(),
    );
  },

  oneOf<const T extends string>(name: string, allowed: readonly [T, ...T[]]) {
    return z.preprocess(
      (value) => caseInsensitiveValue(value, allowed),
      z
        .enum(allowed, { errorMap: messageMap(`${name} must be one of ${allowed.join(', ')}`) })
        .optional(),
    );
  },

  int(name: string, min: number, max: number) {
    const message = `${name} must be an integer from ${min} to ${max}`;
    return z.preprocess(
      integerValue,
      z
        .number({ invalid_type_error: message })
        .int(message)
        .min(min, message)
        .max(max, message)
        .optional(),
    );
  },

  bool(name: string) {
    return z.preprocess(
      booleanValue,
      z.boolean({ invalid_type_error: `${name} must be true or false` }).optional(),
    );
  },

  /** A repeated key (or space-separated values) of an enumeration, matched without regard to case. */
  enumList<const T extends string>(name: string, allowed: readonly [T, ...T[]]) {
    return z.preprocess(
      (value) => listValues(value).map((v) => v.toLowerCase()),
      z
        .array(
          z.enum(allowed, {
            errorMap: (issue, ctx) => ({
              message:
                issue.code === z.ZodIssueCode.invalid_enum_value
                  ? `${name} must be among ${allowed.join(', ')}, got "${String(issue.received).slice(0, 20)}"`
                  : ctx.defaultError,
            }),
          }),
        )
        .describe('Repeat the key for several'),
    );
  },
};

/**
 * Parses a request body (or query) with a resource's schema into its command. The first
 * problem, in the schema's field order, is answered with its Twilio code (20001 unless the
 * field says otherwise).
 */
export function parseForm<S extends z.ZodTypeAny>(schema: S, body: unknown): z.output<S> {
  const parsed = schema.safeParse(formFields(body));
  if (parsed.success) return parsed.data as z.output<S>;
  throw twilioError(parsed.error);
}

function twilioError(error: z.ZodError): ParleyError {
  const issue = error.issues[0];
  const code: unknown =
    issue?.code === z.ZodIssueCode.custom ? issue.params?.twilioCode : undefined;
  return new ParleyError(isErrorCode(code) ? code : 20001, issue?.message ?? 'Invalid request');
}

/**
 * A JSON body's required text field (the v1/v2 APIs): trimmed, blank answered as missing,
 * at most `max` characters. `base` is the string schema it refines (its own messages for a
 * missing or non-text value).
 */
export function requiredJsonText(name: string, max: number, base: z.ZodString = z.string()) {
  return base.transform((value, ctx) => {
    const trimmed = value.trim();
    if (!trimmed) twilioIssue(ctx, 20001, `${name} is required`);
    else if (trimmed.length > max)
      twilioIssue(ctx, 20001, `${name} must be at most ${max} characters`);
    return trimmed;
  });
}

/**
 * Parses a JSON body (the v2 API) with a resource's schema into its command. A field's own
 * Twilio error is answered as is; other problems name the field that has them.
 */
export function parseJsonBody<S extends z.ZodTypeAny>(schema: S, body: unknown): z.output<S> {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data as z.output<S>;
  const issue = parsed.error.issues[0];
  if (issue?.code === z.ZodIssueCode.custom && isErrorCode(issue.params?.twilioCode))
    throw twilioError(parsed.error);
  const where = issue?.path.join('.') || 'body';
  throw new ParleyError(20001, `Invalid ${where}: ${issue?.message ?? 'invalid value'}`);
}

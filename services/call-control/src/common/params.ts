import { type ErrorCode, type HttpMethod, ParleyError } from '@parley/contracts';

type Raw = Record<string, unknown>;

/**
 * Twilio-style request parameters (form fields or query string): PascalCase names,
 * repeated keys for lists. Each reader validates one parameter and throws a ParleyError
 * with the Twilio code for it.
 */
export class Params {
  constructor(private readonly raw: Raw) {}

  static of(body: unknown): Params {
    return new Params(
      typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Raw) : {},
    );
  }

  has(name: string): boolean {
    return this.string(name) !== undefined;
  }

  /** The value, trimmed; empty counts as absent. A repeated key takes the first value. */
  string(name: string): string | undefined {
    const v = this.raw[name];
    const first = Array.isArray(v) ? (v as unknown[])[0] : v;
    if (typeof first !== 'string') return undefined;
    const trimmed = first.trim();
    return trimmed.length ? trimmed : undefined;
  }

  /** Every value of a repeated key; space-separated values are split too (Twilio accepts both). */
  list(name: string): string[] {
    const v = this.raw[name];
    const values = (Array.isArray(v) ? (v as unknown[]) : [v]).filter(
      (x): x is string => typeof x === 'string',
    );
    return values.flatMap((x) => x.split(/[\s,]+/)).filter((x) => x.length > 0);
  }

  /** `http(s)://` absolute URL of at most 4 kB. */
  url(name: string, code: ErrorCode = 21205): string | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    if (!isHttpUrl(value))
      throw new ParleyError(code, `${name} is not a valid URL: ${truncate(value)}`);
    return value;
  }

  method(name: string): HttpMethod | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    const upper = value.toUpperCase();
    if (upper !== 'GET' && upper !== 'POST')
      throw new ParleyError(20001, `${name} must be GET or POST`);
    return upper;
  }

  int(name: string, min: number, max: number): number | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new ParleyError(20001, `${name} must be an integer from ${min} to ${max}`);
    }
    return n;
  }

  bool(name: string): boolean | undefined {
    const value = this.string(name)?.toLowerCase();
    if (value === undefined) return undefined;
    if (value === 'true') return true;
    if (value === 'false') return false;
    throw new ParleyError(20001, `${name} must be true or false`);
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    const match = allowed.find((a) => a.toLowerCase() === value.toLowerCase());
    if (!match) throw new ParleyError(20001, `${name} must be one of ${allowed.join(', ')}`);
    return match;
  }

  /** Like `string` with a length bound. */
  text(name: string, max: number): string | undefined {
    const value = this.string(name);
    if (value !== undefined && value.length > max) {
      throw new ParleyError(20001, `${name} must be at most ${max} characters`);
    }
    return value;
  }
}

export function isHttpUrl(value: string): boolean {
  if (value.length > 4096) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.length > 0;
  } catch {
    return false;
  }
}

function truncate(value: string): string {
  return value.length > 80 ? `${value.slice(0, 77)}...` : value;
}

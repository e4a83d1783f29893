import { type IncomingHttpHeaders } from 'node:http';
import { performance } from 'node:perf_hooks';
import { type ErrorCode } from '@parley/contracts';
import { type AddressPolicy } from './address-policy';
import { type ConnectionOverrides, parseWebhookUrl } from './connection-overrides';
import {
  type FailedResponse,
  FetchError,
  type FetchFailure,
  type HostResolver,
  followRedirects,
  openHop,
  parseFetchUrl,
  readBody,
  readExcerpt,
  redactUrl,
  systemResolver,
} from './safe-http';
import { type WebhookParams, formBody, groupParams, twilioSignature } from './signature';

/**
 * One logical webhook request, sent the way Twilio sends it: GET (parameters appended to
 * the query string) or POST (form body), signed with `X-Twilio-Signature`, carrying the
 * caller's `I-Twilio-Idempotency-Token` unchanged on every retry, bounded by the URL's
 * connection overrides (timeouts, retries per policy with backoff, SNI), the outbound
 * address policy on every hop, a redirect limit and a response size limit.
 * Failures come back as results with Twilio's webhook error codes, never as exceptions.
 */

export type WebhookMethod = 'GET' | 'POST';

export interface TwilioHttpRequest {
  /** The customer URL, connection overrides (`#ct=...`) included. */
  url: string;
  method: WebhookMethod;
  params?: WebhookParams;
  /** The account's auth token: the signing key. */
  authToken: string;
  /** Identifies the logical request across retries, so the customer can deduplicate. */
  idempotencyToken: string;
  /** Accept header; Twilio's default `*\/*` when absent. */
  accept?: string;
  signal?: AbortSignal;
}

export interface TwilioHttpSuccess {
  ok: true;
  status: number;
  contentType: string | null;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The URL that answered, after redirects (no fragment). */
  finalUrl: string;
  attempts: number;
  latencyMs: number;
  /** Connection override settings that were ignored or clamped. */
  warnings: string[];
}

export interface TwilioHttpFailure {
  ok: false;
  errorCode: ErrorCode;
  failure: FetchFailure;
  message: string;
  /** The HTTP status of the last response, when the server answered. */
  status?: number;
  /** Headers and the start of the body of that response, when it was an error status. */
  response?: FailedResponse;
  attempts: number;
  latencyMs: number;
  warnings: string[];
}

export type TwilioHttpResult = TwilioHttpSuccess | TwilioHttpFailure;

export interface TwilioHttpClientOptions {
  policy: AddressPolicy;
  /** Largest response body accepted (default 64 KiB, Twilio's TwiML limit; 11750 above). */
  maxResponseBytes?: number;
  /** Redirects followed per attempt (default 10; 11215 beyond). */
  maxRedirects?: number;
  /** First retry delay; doubles per retry, always within the total timeout (default 100 ms). */
  retryBackoffMs?: number;
  /** DNS resolution (tests map names to loopback with it); the system resolver otherwise. */
  resolve?: HostResolver;
  userAgent?: string;
}

/** Twilio's webhook error code for each way a request can fail. */
const TWILIO_ERROR_CODES: Record<FetchFailure, ErrorCode> = {
  'invalid-url': 11100,
  'blocked-address': 11205,
  dns: 11210,
  connect: 11205,
  timeout: 11205,
  'read-timeout': 11205,
  tls: 11220,
  'certificate-domain': 11235,
  'certificate-expired': 11236,
  'certificate-untrusted': 11237,
  'http-status': 11200,
  'too-large': 11750,
  'too-many-redirects': 11215,
  network: 11200,
};

export const TWILIO_USER_AGENT = 'TwilioProxy/1.1';

/** How much of an error response's body is kept with the failure (the request log's excerpt). */
export const ERROR_BODY_EXCERPT_BYTES = 4096;

/** Whether a failed attempt is worth another under the URL's retry policy (`rp`). */
export function isRetryable(error: FetchError, overrides: ConnectionOverrides): boolean {
  switch (error.failure) {
    case 'connect':
    case 'tls':
      return overrides.retryOn.has('ct');
    case 'read-timeout':
    case 'network':
      return overrides.retryOn.has('rt');
    case 'http-status': {
      const status = error.httpStatus ?? 0;
      if (status >= 500) return overrides.retryOn.has('5xx');
      if (status >= 400) return overrides.retryOn.has('4xx');
      return false;
    }
    // Refused, unresolvable, mis-certified, oversize or looping requests fail the same way
    // every time; the total deadline has no time left for another attempt.
    case 'invalid-url':
    case 'blocked-address':
    case 'dns':
    case 'timeout':
    case 'certificate-domain':
    case 'certificate-expired':
    case 'certificate-untrusted':
    case 'too-large':
    case 'too-many-redirects':
      return false;
  }
}

interface Exchange {
  method: WebhookMethod;
  url: URL;
  /** POST parameters, signed and sent as the form body. */
  form: WebhookParams | undefined;
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  finalUrl: string;
}

export class TwilioHttpClient {
  private readonly maxResponseBytes: number;
  private readonly maxRedirects: number;
  private readonly retryBackoffMs: number;
  private readonly resolve: HostResolver;
  private readonly userAgent: string;

  constructor(private readonly options: TwilioHttpClientOptions) {
    this.maxResponseBytes = options.maxResponseBytes ?? 64 * 1024;
    this.maxRedirects = options.maxRedirects ?? 10;
    this.retryBackoffMs = options.retryBackoffMs ?? 100;
    this.resolve = options.resolve ?? systemResolver;
    this.userAgent = options.userAgent ?? TWILIO_USER_AGENT;
  }

  async send(request: TwilioHttpRequest): Promise<TwilioHttpResult> {
    const started = performance.now();
    const { url: bareUrl, overrides, warnings } = parseWebhookUrl(request.url);
    let attempts = 0;
    const fail = (error: FetchError): TwilioHttpFailure => ({
      ok: false,
      errorCode: TWILIO_ERROR_CODES[error.failure],
      failure: error.failure,
      message: error.message,
      ...(error.httpStatus !== null ? { status: error.httpStatus } : {}),
      ...(error.response !== null ? { response: error.response } : {}),
      attempts,
      latencyMs: performance.now() - started,
      warnings,
    });

    let first: Exchange;
    try {
      first = firstExchange(bareUrl, request);
    } catch (error) {
      if (error instanceof FetchError) return fail(error);
      throw error;
    }

    const deadline = new AbortController();
    const timer = setTimeout(() => {
      deadline.abort(
        new FetchError('timeout', `no complete response within ${overrides.totalTimeoutMs} ms`),
      );
    }, overrides.totalTimeoutMs);
    const signal = request.signal
      ? AbortSignal.any([deadline.signal, request.signal])
      : deadline.signal;
    try {
      for (;;) {
        attempts++;
        try {
          const answer = await this.attempt(first, request, overrides, signal);
          const contentType = answer.headers['content-type'];
          return {
            ok: true,
            status: answer.status,
            contentType: contentType ?? null,
            headers: answer.headers,
            body: answer.body,
            finalUrl: answer.finalUrl,
            attempts,
            latencyMs: performance.now() - started,
            warnings,
          };
        } catch (error) {
          const failure = asFetchError(error, signal);
          if (attempts > overrides.retryCount || !isRetryable(failure, overrides)) {
            return fail(failure);
          }
          try {
            await delay(this.retryBackoffMs * 2 ** (attempts - 1), signal);
          } catch (abort) {
            return fail(asFetchError(abort, signal));
          }
        }
      }
    } finally {
      clearTimeout(timer);
    }
  }

  /** One attempt: the request and its redirects. Throws FetchError. */
  private async attempt(
    first: Exchange,
    request: TwilioHttpRequest,
    overrides: ConnectionOverrides,
    signal: AbortSignal,
  ): Promise<Answer> {
    const { request: exchange, open } = await followRedirects<Exchange>({
      first,
      policy: this.options.policy,
      resolve: this.resolve,
      maxRedirects: this.maxRedirects,
      signal,
      send: (hop, target) => {
        const body = hop.method === 'POST' ? Buffer.from(formBody(hop.form)) : undefined;
        const headers: Record<string, string> = {
          'user-agent': this.userAgent,
          accept: request.accept ?? '*/*',
          'x-twilio-signature': twilioSignature(
            request.authToken,
            hop.url.href,
            hop.method === 'POST' ? hop.form : undefined,
          ),
          'i-twilio-idempotency-token': request.idempotencyToken,
          // Sent by Twilio's proxy too; customer stacks behind caches may rely on it.
          'cache-control': 'max-age=259200',
        };
        if (body) headers['content-type'] = 'application/x-www-form-urlencoded; charset=utf-8';
        return openHop(hop.url, target, {
          method: hop.method,
          headers,
          ...(body ? { body } : {}),
          connectTimeoutMs: overrides.connectTimeoutMs,
          readTimeoutMs: overrides.readTimeoutMs,
          signal,
          sni: overrides.sni,
        });
      },
      redirect: redirected,
    });
    const { response } = open;
    const status = response.statusCode ?? 0;
    if (status < 200 || status > 299) {
      const bodyExcerpt = await readExcerpt(open, ERROR_BODY_EXCERPT_BYTES);
      throw new FetchError('http-status', `${redactUrl(exchange.url)} answered HTTP ${status}`, {
        httpStatus: status,
        response: { headers: response.headers, bodyExcerpt },
      });
    }
    try {
      const responseBody = await readBody(open, this.maxResponseBytes).catch((error: unknown) => {
        // The server did answer: keep its status with the failure.
        if (error instanceof FetchError && error.failure === 'too-large') {
          throw new FetchError('too-large', error.message, { httpStatus: status });
        }
        throw error;
      });
      return {
        status,
        headers: response.headers,
        body: responseBody,
        finalUrl: exchange.url.href,
      };
    } finally {
      open.done();
    }
  }
}

/** The first request: GET carries the parameters in its query string, POST in its body. */
function firstExchange(bareUrl: string, request: TwilioHttpRequest): Exchange {
  const url = parseFetchUrl(bareUrl);
  if (request.method === 'POST') return { method: 'POST', url, form: request.params };
  for (const [name, values] of groupParams(request.params)) {
    for (const value of values) url.searchParams.append(name, value);
  }
  return { method: 'GET', url, form: undefined };
}

/**
 * The request a redirect asks for: 307 and 308 repeat the method and body on the new URL;
 * 301, 302 and 303 continue with a GET without body, as browsers and Twilio do. Each hop
 * is signed for its own URL.
 */
function redirected(previous: Exchange, location: string, status: number): Exchange {
  let next: URL;
  try {
    next = parseFetchUrl(new URL(location, previous.url));
  } catch (cause) {
    throw cause instanceof FetchError
      ? cause
      : new FetchError('invalid-url', 'redirect to an invalid URL', { cause });
  }
  next.hash = '';
  if (status === 307 || status === 308) return { ...previous, url: next };
  return { method: 'GET', url: next, form: undefined };
}

function asFetchError(error: unknown, signal: AbortSignal): FetchError {
  if (error instanceof FetchError) return error;
  const reason: unknown = signal.aborted ? signal.reason : undefined;
  if (reason instanceof FetchError) return reason;
  if (signal.aborted) return new FetchError('timeout', 'request aborted', { cause: reason });
  return new FetchError('network', error instanceof Error ? error.message : String(error), {
    cause: error,
  });
}

/** Waits `ms`, or rejects with the signal's reason when it aborts first. */
function delay(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

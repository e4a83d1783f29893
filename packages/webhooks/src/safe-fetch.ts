import { type IncomingHttpHeaders } from 'node:http';
import { type AddressPolicy } from './address-policy';
import {
  FetchError,
  type HopRequest,
  type HostResolver,
  discard,
  followRedirects,
  openHop,
  parseFetchUrl,
  readBody,
  redactUrl,
  systemResolver,
} from './safe-http';

/**
 * GET of an untrusted customer URL (media's <Play> audio) with the SSRF protection of
 * safe-http.ts on every redirect hop. Connect timeout, total timeout (DNS included) and a
 * size cap bound the work a hostile server can cause. Failures are FetchErrors: 11100
 * invalid URL, 11205 connection failure (DNS, refused, timeout, TLS, destination not
 * allowed), 11200 retrieval failure (HTTP status, too large, too many redirects, broken body).
 */

export interface SafeFetchOptions {
  policy: AddressPolicy;
  /** Time to establish the TCP (and TLS) connection of each hop. */
  connectTimeoutMs?: number;
  /** Whole request: DNS, redirects and body included. */
  totalTimeoutMs?: number;
  maxBytes?: number;
  maxRedirects?: number;
  /** Extra request headers (conditional revalidation: If-None-Match, If-Modified-Since). */
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** DNS resolution (tests map names to loopback with it); defaults to the system resolver. */
  resolve?: HostResolver;
  userAgent?: string;
}

export interface SafeFetchResponse {
  /** Final URL after redirects. */
  url: string;
  status: number;
  headers: IncomingHttpHeaders;
  /** Empty for 304 Not Modified. */
  body: Buffer;
}

export async function safeFetch(
  rawUrl: string | URL,
  options: SafeFetchOptions,
): Promise<SafeFetchResponse> {
  const connectTimeoutMs = options.connectTimeoutMs ?? 5000;
  const totalTimeoutMs = options.totalTimeoutMs ?? 30_000;
  const maxBytes = options.maxBytes ?? 50 * 1024 * 1024;
  const maxRedirects = options.maxRedirects ?? 5;
  const resolve = options.resolve ?? systemResolver;

  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort(new FetchError('timeout', `no complete response within ${totalTimeoutMs} ms`));
  }, totalTimeoutMs);
  const onCallerAbort = (): void => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) onCallerAbort();
  options.signal?.addEventListener('abort', onCallerAbort, { once: true });
  try {
    const { request, open } = await followRedirects<HopRequest>({
      first: { url: parseFetchUrl(rawUrl) },
      policy: options.policy,
      resolve,
      maxRedirects,
      signal: controller.signal,
      send: (hop, target) =>
        openHop(hop.url, target, {
          method: 'GET',
          connectTimeoutMs,
          signal: controller.signal,
          headers: {
            'user-agent': options.userAgent ?? 'Parley-Media/0.1',
            accept: 'audio/*, */*;q=0.5',
            ...options.headers,
          },
        }),
      redirect: (previous, location) => {
        let next: URL;
        try {
          next = new URL(location, previous.url);
        } catch (cause) {
          throw new FetchError('invalid-url', 'redirect to an invalid URL', { cause });
        }
        return { url: parseFetchUrl(next) };
      },
    });
    const { url } = request;
    const { response } = open;
    const status = response.statusCode ?? 0;
    if (status === 304) {
      discard(open);
      return { url: url.href, status, headers: response.headers, body: Buffer.alloc(0) };
    }
    if (status < 200 || status > 299) {
      discard(open);
      throw new FetchError('http-status', `${redactUrl(url)} answered HTTP ${status}`, {
        httpStatus: status,
      });
    }
    try {
      const body = await readBody(open, maxBytes);
      return { url: url.href, status, headers: response.headers, body };
    } finally {
      open.done();
    }
  } catch (error) {
    // An abort by our own timer surfaces as its FetchError; a caller's abort as its reason.
    if (controller.signal.aborted) throw controller.signal.reason;
    throw error;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onCallerAbort);
  }
}

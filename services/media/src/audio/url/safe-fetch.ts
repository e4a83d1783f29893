import { lookup as dnsLookup } from 'node:dns/promises';
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { ParleyError, type ErrorCode } from '@parley/contracts';
import { type AddressPolicy } from './address-policy';

/**
 * GET of an untrusted customer URL with SSRF protection: DNS is resolved here, every
 * address is checked against the AddressPolicy, and the connection is pinned to the
 * checked address (no second resolution, so DNS rebinding cannot swap it). Every redirect
 * hop is checked the same way. Connect timeout, total timeout and a size cap bound the
 * work a hostile server can cause.
 *
 * Errors are FetchErrors (ParleyErrors) with Twilio's codes: 11100 invalid URL, 11205
 * connection failure (DNS, refused, timeout, destination not allowed), 11200 retrieval
 * failure (HTTP status, too large, too many redirects, broken body).
 */

export type FetchFailure =
  | 'invalid-url'
  | 'blocked-address'
  | 'dns'
  | 'connect'
  | 'timeout'
  | 'http-status'
  | 'too-large'
  | 'too-many-redirects'
  | 'network';

export class FetchError extends ParleyError {
  constructor(
    code: ErrorCode,
    readonly failure: FetchFailure,
    message: string,
    options?: { cause?: unknown; httpStatus?: number },
  ) {
    super(code, message, options?.cause === undefined ? {} : { cause: options.cause });
    this.name = 'FetchError';
    this.httpStatus = options?.httpStatus ?? null;
  }

  readonly httpStatus: number | null;
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export type HostResolver = (hostname: string) => Promise<ResolvedAddress[]>;

export interface SafeFetchOptions {
  policy: AddressPolicy;
  /** Time to establish the TCP (and TLS) connection of each hop. */
  connectTimeoutMs?: number;
  /** Whole request, redirects and body included. */
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

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

const systemResolver: HostResolver = async (hostname) => {
  const records = await dnsLookup(hostname, { all: true, verbatim: true });
  return records.map((r) => ({ address: r.address, family: r.family === 6 ? 6 : 4 }));
};

/** Parses and vets a URL's syntax: http(s) only, a host, no odd ports. */
export function parseFetchUrl(raw: string | URL): URL {
  let url: URL;
  try {
    url = typeof raw === 'string' ? new URL(raw) : new URL(raw.href);
  } catch (cause) {
    throw new FetchError(11100, 'invalid-url', 'URL is not valid', { cause });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new FetchError(11100, 'invalid-url', `URL scheme ${url.protocol} is not http or https`);
  }
  if (!url.hostname) throw new FetchError(11100, 'invalid-url', 'URL has no host');
  return url;
}

/** A URL without its credentials, for messages and logs. */
export function redactUrl(url: URL): string {
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  copy.search = copy.search ? '?…' : '';
  return copy.href;
}

async function resolveAllowed(
  url: URL,
  policy: AddressPolicy,
  resolve: HostResolver,
): Promise<ResolvedAddress> {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const literal = isIP(host);
  let addresses: ResolvedAddress[];
  if (literal !== 0) {
    addresses = [{ address: host, family: literal === 6 ? 6 : 4 }];
  } else {
    try {
      addresses = await resolve(host);
    } catch (cause) {
      throw new FetchError(11205, 'dns', `cannot resolve ${host}`, { cause });
    }
    if (addresses.length === 0) throw new FetchError(11205, 'dns', `no address for ${host}`);
  }
  // All addresses must pass: a name that mixes public and private answers is refused.
  const refused = addresses.find((a) => !policy.isAllowed(a.address));
  if (refused) {
    throw new FetchError(
      11205,
      'blocked-address',
      `destination ${host} (${refused.address}) is a private or reserved address and is not allowed`,
    );
  }
  return addresses[0] as ResolvedAddress;
}

export async function safeFetch(
  rawUrl: string | URL,
  options: SafeFetchOptions,
): Promise<SafeFetchResponse> {
  let url = parseFetchUrl(rawUrl);
  const connectTimeoutMs = options.connectTimeoutMs ?? 5000;
  const totalTimeoutMs = options.totalTimeoutMs ?? 30_000;
  const maxBytes = options.maxBytes ?? 50 * 1024 * 1024;
  const maxRedirects = options.maxRedirects ?? 5;
  const resolve = options.resolve ?? systemResolver;

  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort(
      new FetchError(11205, 'timeout', `no complete response within ${totalTimeoutMs} ms`),
    );
  }, totalTimeoutMs);
  const onCallerAbort = (): void => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) onCallerAbort();
  options.signal?.addEventListener('abort', onCallerAbort, { once: true });
  try {
    for (let hop = 0; ; hop++) {
      throwIfAborted(controller.signal);
      const target = await resolveAllowed(url, options.policy, resolve);
      throwIfAborted(controller.signal);
      const response = await request(url, target, {
        connectTimeoutMs,
        signal: controller.signal,
        headers: {
          'user-agent': options.userAgent ?? 'Parley-Media/0.1',
          accept: 'audio/*, */*;q=0.5',
          ...options.headers,
        },
      });
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (REDIRECTS.has(status) && location) {
        response.resume();
        if (hop >= maxRedirects) {
          throw new FetchError(11200, 'too-many-redirects', `more than ${maxRedirects} redirects`);
        }
        let next: URL;
        try {
          next = new URL(location, url);
        } catch (cause) {
          throw new FetchError(11200, 'invalid-url', 'redirect to an invalid URL', { cause });
        }
        url = parseFetchUrl(next);
        continue;
      }
      if (status === 304) {
        response.resume();
        return { url: url.href, status, headers: response.headers, body: Buffer.alloc(0) };
      }
      if (status < 200 || status > 299) {
        response.resume();
        throw new FetchError(11200, 'http-status', `${redactUrl(url)} answered HTTP ${status}`, {
          httpStatus: status,
        });
      }
      const body = await readBody(response, maxBytes, controller.signal);
      return { url: url.href, status, headers: response.headers, body };
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

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason;
}

interface RequestOptions {
  connectTimeoutMs: number;
  signal: AbortSignal;
  headers: Record<string, string>;
}

function request(
  url: URL,
  target: ResolvedAddress,
  options: RequestOptions,
): Promise<IncomingMessage> {
  return new Promise((resolvePromise, reject) => {
    const isHttps = url.protocol === 'https:';
    const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    // Pin the connection to the address that was checked.
    const pinned: LookupFunction = (_host, lookupOptions, callback) => {
      if (lookupOptions.all) {
        callback(null, [{ address: target.address, family: target.family }]);
      } else {
        callback(null, target.address, target.family);
      }
    };
    const auth =
      url.username || url.password
        ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`
        : undefined;
    const req = (isHttps ? https : http).request({
      protocol: url.protocol,
      hostname,
      port: url.port || (isHttps ? 443 : 80),
      path: `${url.pathname}${url.search}`,
      method: 'GET',
      headers: options.headers,
      lookup: pinned,
      agent: false,
      signal: options.signal,
      ...(auth ? { auth } : {}),
      ...(isHttps && isIP(hostname) === 0 ? { servername: hostname } : {}),
    });
    const connectTimer = setTimeout(() => {
      req.destroy(
        new FetchError(11205, 'connect', `no connection within ${options.connectTimeoutMs} ms`),
      );
    }, options.connectTimeoutMs);
    req.once('socket', (socket) => {
      if (!socket.connecting) {
        clearTimeout(connectTimer);
        return;
      }
      socket.once(isHttps ? 'secureConnect' : 'connect', () => clearTimeout(connectTimer));
    });
    req.once('response', (response) => {
      clearTimeout(connectTimer);
      resolvePromise(response);
    });
    req.once('error', (error) => {
      clearTimeout(connectTimer);
      reject(
        error instanceof FetchError
          ? error
          : new FetchError(
              11205,
              'connect',
              `cannot connect to ${redactUrl(url)}: ${error.message}`,
              {
                cause: error,
              },
            ),
      );
    });
    req.end();
  });
}

async function readBody(
  response: IncomingMessage,
  maxBytes: number,
  signal: AbortSignal,
): Promise<Buffer> {
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    response.destroy();
    throw new FetchError(11200, 'too-large', `response of ${declared} bytes exceeds ${maxBytes}`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of response) {
      const buffer = chunk as Buffer;
      total += buffer.length;
      if (total > maxBytes) {
        response.destroy();
        throw new FetchError(11200, 'too-large', `response exceeds ${maxBytes} bytes`);
      }
      chunks.push(buffer);
    }
  } catch (error) {
    if (error instanceof FetchError || signal.aborted) throw error;
    throw new FetchError(11200, 'network', 'response body interrupted', { cause: error });
  }
  return Buffer.concat(chunks, total);
}

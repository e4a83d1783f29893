import { lookup as dnsLookup } from 'node:dns/promises';
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { ParleyError, type ErrorCode } from '@parley/contracts';
import { type AddressPolicy } from './address-policy';

/**
 * The building blocks of every request to an untrusted customer URL (SSRF protection):
 * DNS is resolved here, within the caller's deadline, every address is checked against the
 * AddressPolicy, and the connection is pinned to the checked address (no second
 * resolution, so DNS rebinding cannot swap it). Callers check each redirect hop the same
 * way. safeFetch (media's GET) and TwilioHttpClient (webhooks) are built from them.
 */

export type FetchFailure =
  | 'invalid-url'
  | 'blocked-address'
  | 'dns'
  | 'connect'
  /** The whole request (DNS, redirects, body) outlived its total deadline. */
  | 'timeout'
  /** No response byte for the read timeout, at the start or between packets. */
  | 'read-timeout'
  | 'tls'
  | 'certificate-domain'
  | 'certificate-expired'
  | 'certificate-untrusted'
  | 'http-status'
  | 'too-large'
  | 'too-many-redirects'
  | 'network';

/**
 * The code a FetchError carries: 11100 invalid URL, 11205 connection failure (DNS,
 * refused, timeout, TLS, destination not allowed), 11200 retrieval failure. The Twilio
 * HTTP client maps failures to Twilio's finer webhook codes instead (twilio-http-client.ts).
 */
const FETCH_ERROR_CODES: Record<FetchFailure, ErrorCode> = {
  'invalid-url': 11100,
  'blocked-address': 11205,
  dns: 11205,
  connect: 11205,
  timeout: 11205,
  'read-timeout': 11205,
  tls: 11205,
  'certificate-domain': 11205,
  'certificate-expired': 11205,
  'certificate-untrusted': 11205,
  'http-status': 11200,
  'too-large': 11200,
  'too-many-redirects': 11200,
  network: 11200,
};

/** What a server answered when the answer was a failure (kept for the request log). */
export interface FailedResponse {
  headers: IncomingHttpHeaders;
  /** The start of the body, at most the excerpt limit. */
  bodyExcerpt: Buffer;
}

export class FetchError extends ParleyError {
  readonly httpStatus: number | null;
  readonly response: FailedResponse | null;

  constructor(
    readonly failure: FetchFailure,
    message: string,
    options?: { cause?: unknown; httpStatus?: number; response?: FailedResponse },
  ) {
    super(
      FETCH_ERROR_CODES[failure],
      message,
      options?.cause === undefined ? {} : { cause: options.cause },
    );
    this.name = 'FetchError';
    this.httpStatus = options?.httpStatus ?? null;
    this.response = options?.response ?? null;
  }
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export type HostResolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

export const systemResolver: HostResolver = async (hostname) => {
  const records = await dnsLookup(hostname, { all: true, verbatim: true });
  return records.map((r) => ({ address: r.address, family: r.family === 6 ? 6 : 4 }));
};

/** Parses and vets a URL's syntax: http(s) only, a host. */
export function parseFetchUrl(raw: string | URL): URL {
  let url: URL;
  try {
    url = typeof raw === 'string' ? new URL(raw) : new URL(raw.href);
  } catch (cause) {
    throw new FetchError('invalid-url', 'URL is not valid', { cause });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new FetchError('invalid-url', `URL scheme ${url.protocol} is not http or https`);
  }
  if (!url.hostname) throw new FetchError('invalid-url', 'URL has no host');
  return url;
}

/** A URL without its credentials and query, for messages and logs. */
export function redactUrl(url: URL): string {
  return `${url.origin}${url.pathname}${url.search ? '?…' : ''}`;
}

function bareHostname(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

/** Settles with `work`, or rejects with the signal's reason as soon as it aborts. */
function withinSignal<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * The address to connect to for `url`, after the policy approved every address the name
 * resolves to. DNS time counts against `signal` (the caller's total deadline).
 */
export async function resolveAllowed(
  url: URL,
  policy: AddressPolicy,
  resolve: HostResolver,
  signal: AbortSignal,
): Promise<ResolvedAddress> {
  const host = bareHostname(url);
  const literal = isIP(host);
  let addresses: ResolvedAddress[];
  if (literal !== 0) {
    addresses = [{ address: host, family: literal === 6 ? 6 : 4 }];
  } else {
    try {
      addresses = await withinSignal(resolve(host), signal);
    } catch (cause) {
      if (signal.aborted) throw signal.reason;
      throw new FetchError('dns', `cannot resolve ${host}`, { cause });
    }
    if (addresses.length === 0) throw new FetchError('dns', `no address for ${host}`);
  }
  if (literal === 0 && policy.isHostAllowListed(host)) return addresses[0] as ResolvedAddress;
  // All addresses must pass: a name that mixes public and private answers is refused.
  const refused = addresses.find((a) => !policy.isAllowed(a.address));
  if (refused) {
    throw new FetchError(
      'blocked-address',
      `destination ${host} (${refused.address}) is a private or reserved address and is not allowed`,
    );
  }
  return addresses[0] as ResolvedAddress;
}

export interface HopOptions {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: Buffer;
  connectTimeoutMs: number;
  /** Socket idle time allowed once connected (first response byte, between packets). */
  readTimeoutMs?: number;
  /** The caller's total deadline. */
  signal: AbortSignal;
  /** False sends no SNI (Twilio's `sni` connection override). */
  sni?: boolean;
}

/** One HTTP exchange with the response still streaming; `hopSignal` aborts on hop errors. */
export interface OpenResponse {
  response: IncomingMessage;
  /** Aborted by the read timeout or the total deadline, with a FetchError reason. */
  signal: AbortSignal;
  /** Releases the hop's timers once the body was read or discarded. */
  done(): void;
}

const CERTIFICATE_FAILURES: Record<string, FetchFailure> = {
  ERR_TLS_CERT_ALTNAME_INVALID: 'certificate-domain',
  CERT_HAS_EXPIRED: 'certificate-expired',
  CERT_NOT_YET_VALID: 'certificate-expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'certificate-untrusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'certificate-untrusted',
  UNABLE_TO_GET_ISSUER_CERT: 'certificate-untrusted',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'certificate-untrusted',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'certificate-untrusted',
  CERT_UNTRUSTED: 'certificate-untrusted',
  CERT_REVOKED: 'certificate-untrusted',
};

/** What a socket-level error means: a certificate problem, another TLS failure, or connect. */
export function classifyConnectionError(error: unknown, isHttps: boolean): FetchFailure {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    const certificate = CERTIFICATE_FAILURES[code];
    if (certificate) return certificate;
    if (
      isHttps &&
      (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || code === 'EPROTO')
    ) {
      return 'tls';
    }
  }
  return 'connect';
}

/** Sends one request to the checked address and resolves when the response head arrives. */
export function openHop(
  url: URL,
  target: ResolvedAddress,
  options: HopOptions,
): Promise<OpenResponse> {
  const hop = new AbortController();
  const signal = AbortSignal.any([options.signal, hop.signal]);
  let connectTimer: NodeJS.Timeout | undefined;
  const clearConnectTimer = (): void => clearTimeout(connectTimer);
  return new Promise<OpenResponse>((resolvePromise, reject) => {
    const isHttps = url.protocol === 'https:';
    const hostname = bareHostname(url);
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
    const headers = { ...options.headers };
    if (options.body) headers['content-length'] = String(options.body.length);
    const sendSni = options.sni !== false && isIP(hostname) === 0;
    const req = (isHttps ? https : http).request({
      protocol: url.protocol,
      hostname,
      port: url.port || (isHttps ? 443 : 80),
      path: `${url.pathname}${url.search}`,
      method: options.method,
      headers,
      lookup: pinned,
      agent: false,
      signal,
      ...(auth ? { auth } : {}),
      // An empty servername is how Node leaves the SNI extension out.
      ...(isHttps ? { servername: sendSni ? hostname : '' } : {}),
    });
    connectTimer = setTimeout(() => {
      hop.abort(new FetchError('connect', `no connection within ${options.connectTimeoutMs} ms`));
    }, options.connectTimeoutMs);
    const onConnected = (): void => {
      clearConnectTimer();
      const readTimeoutMs = options.readTimeoutMs;
      if (readTimeoutMs !== undefined) {
        req.setTimeout(readTimeoutMs, () => {
          hop.abort(new FetchError('read-timeout', `no response data within ${readTimeoutMs} ms`));
        });
      }
    };
    req.once('socket', (socket) => {
      if (!socket.connecting) {
        onConnected();
        return;
      }
      socket.once(isHttps ? 'secureConnect' : 'connect', onConnected);
    });
    req.once('response', (response) => {
      resolvePromise({
        response,
        signal,
        done: () => {
          clearConnectTimer();
          req.setTimeout(0);
        },
      });
    });
    req.once('error', (error) => {
      clearConnectTimer();
      if (signal.aborted) {
        reject(signal.reason as Error);
        return;
      }
      reject(
        new FetchError(
          classifyConnectionError(error, isHttps),
          `cannot connect to ${redactUrl(url)}: ${error.message}`,
          { cause: error },
        ),
      );
    });
    req.end(options.body);
  });
}

/** The response body, refused once it exceeds `maxBytes` (declared or actually sent). */
export async function readBody(open: OpenResponse, maxBytes: number): Promise<Buffer> {
  const { response, signal } = open;
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    response.destroy();
    throw new FetchError('too-large', `response of ${declared} bytes exceeds ${maxBytes}`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of response) {
      const buffer = chunk as Buffer;
      total += buffer.length;
      if (total > maxBytes) {
        response.destroy();
        throw new FetchError('too-large', `response exceeds ${maxBytes} bytes`);
      }
      chunks.push(buffer);
    }
  } catch (error) {
    if (error instanceof FetchError) throw error;
    if (signal.aborted) throw signal.reason;
    throw new FetchError('network', 'response body interrupted', { cause: error });
  }
  return Buffer.concat(chunks, total);
}

/** One hop's request, as far as the redirect loop needs to know it. */
export interface HopRequest {
  url: URL;
}

export interface RedirectChain<R extends HopRequest> {
  first: R;
  policy: AddressPolicy;
  resolve: HostResolver;
  maxRedirects: number;
  /** The caller's total deadline. */
  signal: AbortSignal;
  /** Sends one hop to the address the policy approved. */
  send(request: R, target: ResolvedAddress): Promise<OpenResponse>;
  /** The request a redirect asks for (method, body and signature are the caller's rules). */
  redirect(previous: R, location: string, status: number): R;
}

/**
 * Sends `first` and follows redirects, checking every hop's destination against the
 * policy before connecting. Resolves with the first response that is not a redirect,
 * still streaming, and the request that got it.
 */
export async function followRedirects<R extends HopRequest>(
  chain: RedirectChain<R>,
): Promise<{ request: R; open: OpenResponse }> {
  let request = chain.first;
  for (let hop = 0; ; hop++) {
    const target = await resolveAllowed(request.url, chain.policy, chain.resolve, chain.signal);
    const open = await chain.send(request, target);
    const status = open.response.statusCode ?? 0;
    const location = open.response.headers.location;
    if (!REDIRECT_STATUSES.has(status) || !location) return { request, open };
    discard(open);
    if (hop >= chain.maxRedirects) {
      throw new FetchError('too-many-redirects', `more than ${chain.maxRedirects} redirects`);
    }
    request = chain.redirect(request, location, status);
  }
}

/** Reads and discards a response that is not used (redirects, error statuses). */
/**
 * Reads at most `maxBytes` of a body and drops the rest: what a failed answer said, for
 * the request log. Never throws; a body that cannot be read is an empty excerpt.
 */
export async function readExcerpt(open: OpenResponse, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of open.response) {
      const buffer = chunk as Buffer;
      chunks.push(buffer.subarray(0, Math.max(0, maxBytes - total)));
      total += buffer.length;
      if (total >= maxBytes) {
        open.response.destroy();
        break;
      }
    }
  } catch {
    // Interrupted or timed out: keep what arrived.
  } finally {
    open.done();
  }
  return Buffer.concat(chunks);
}

export function discard(open: OpenResponse): void {
  open.response.resume();
  open.done();
}

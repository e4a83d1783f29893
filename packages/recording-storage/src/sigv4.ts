import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * AWS Signature Version 4 (header-based, as S3 and S3-compatible stores use it),
 * implemented with node:crypto. `signRequest` signs what a client sends; `verifyRequest`
 * checks a received request from its raw parts (method, path as sent, headers), the way a
 * server would, so a test server can verify the client independently of the client's own
 * state.
 */

export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
const ALGORITHM = 'AWS4-HMAC-SHA256';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SignScope {
  region: string;
  service: string;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** RFC 3986 encoding as SigV4 wants it: only A-Z a-z 0-9 - _ . ~ stay as they are. */
export function uriEncode(value: string, keepSlash = false): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(c) || (keepSlash && c === '/')) out += c;
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** `20130524T000000Z` */
export function amzDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

export function signingKey(
  secretAccessKey: string,
  dateStamp: string,
  region: string,
  service: string,
): Buffer {
  const kDate = hmac(`AWS4${secretAccessKey}`, dateStamp);
  const kRegion = hmac(kDate, region);
  const kService = hmac(kRegion, service);
  return hmac(kService, 'aws4_request');
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * Canonical URI of a path as sent on the wire: each segment decoded once and re-encoded
 * the SigV4 way (S3 does not normalise or double-encode).
 */
export function canonicalUri(rawPath: string): string {
  const path = rawPath === '' ? '/' : rawPath;
  return path
    .split('/')
    .map((segment) => uriEncode(safeDecode(segment)))
    .join('/');
}

/** Canonical query string of a raw query (without `?`): encoded, sorted by name then value. */
export function canonicalQuery(rawQuery: string): string {
  if (!rawQuery) return '';
  const pairs = rawQuery
    .split('&')
    .filter((part) => part.length > 0)
    .map((part) => {
      const eq = part.indexOf('=');
      const name = eq < 0 ? part : part.slice(0, eq);
      const value = eq < 0 ? '' : part.slice(eq + 1);
      return [uriEncode(safeDecode(name)), uriEncode(safeDecode(value))] as const;
    });
  pairs.sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([n, v]) => `${n}=${v}`).join('&');
}

function canonicalHeaderValue(value: string): string {
  return value.trim().replace(/\s+/g, ' ');
}

export interface CanonicalInput {
  method: string;
  rawPath: string;
  rawQuery: string;
  /** Lower-case names to values, for the signed headers only. */
  headers: Record<string, string>;
  payloadHash: string;
}

export function canonicalRequest(input: CanonicalInput): { text: string; signedHeaders: string } {
  const names = Object.keys(input.headers).sort();
  const headerLines = names.map((n) => `${n}:${canonicalHeaderValue(input.headers[n] ?? '')}\n`);
  const signedHeaders = names.join(';');
  const text = [
    input.method.toUpperCase(),
    canonicalUri(input.rawPath),
    canonicalQuery(input.rawQuery),
    headerLines.join(''),
    signedHeaders,
    input.payloadHash,
  ].join('\n');
  return { text, signedHeaders };
}

function stringToSign(date: string, scope: string, canonical: string): string {
  return [ALGORITHM, date, scope, sha256Hex(canonical)].join('\n');
}

export interface SignInput {
  method: string;
  url: URL;
  /** Headers to send and sign besides host, x-amz-date, x-amz-content-sha256. */
  headers?: Record<string, string>;
  /** Hex SHA-256 of the body, or UNSIGNED_PAYLOAD. */
  payloadHash: string;
  now?: Date;
}

export interface SignedRequest {
  /** Every header to send (lower-case names), authorization included. */
  headers: Record<string, string>;
  signature: string;
  canonicalRequest: string;
}

/** Signs a request; the caller must send `url`'s path and query exactly as given. */
export function signRequest(
  input: SignInput,
  credentials: AwsCredentials,
  scope: SignScope,
): SignedRequest {
  const date = amzDate(input.now ?? new Date());
  const dateStamp = date.slice(0, 8);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.headers ?? {})) {
    headers[name.toLowerCase()] = value;
  }
  headers.host = input.url.host;
  headers['x-amz-date'] = date;
  headers['x-amz-content-sha256'] = input.payloadHash;
  if (credentials.sessionToken) headers['x-amz-security-token'] = credentials.sessionToken;

  const canonical = canonicalRequest({
    method: input.method,
    rawPath: input.url.pathname,
    rawQuery: input.url.search.replace(/^\?/, ''),
    headers,
    payloadHash: input.payloadHash,
  });
  const credentialScope = `${dateStamp}/${scope.region}/${scope.service}/aws4_request`;
  const key = signingKey(credentials.secretAccessKey, dateStamp, scope.region, scope.service);
  const signature = hmac(key, stringToSign(date, credentialScope, canonical.text)).toString('hex');
  headers.authorization =
    `${ALGORITHM} Credential=${credentials.accessKeyId}/${credentialScope}, ` +
    `SignedHeaders=${canonical.signedHeaders}, Signature=${signature}`;
  return { headers, signature, canonicalRequest: canonical.text };
}

export interface ReceivedRequest {
  method: string;
  /** Request target as received: path and optional query (`/bucket/key?x=1`). */
  target: string;
  /** Node's IncomingHttpHeaders or similar: lower-case names. */
  headers: Record<string, string | string[] | undefined>;
}

export type VerifyResult =
  { ok: true; accessKeyId: string; payloadHash: string } | { ok: false; reason: string };

export interface VerifyOptions {
  /** Secret of an access key id, or undefined when unknown. */
  secretFor: (accessKeyId: string) => string | undefined;
  region: string;
  service: string;
  now?: Date;
  /** Accepted clock difference (AWS: 15 minutes). */
  maxSkewMs?: number;
}

/** Verifies a received request's SigV4 Authorization header. */
export function verifyRequest(request: ReceivedRequest, options: VerifyOptions): VerifyResult {
  const header = single(request.headers.authorization);
  if (!header?.startsWith(`${ALGORITHM} `)) return { ok: false, reason: 'missing authorization' };
  const fields = new Map<string, string>();
  for (const part of header.slice(ALGORITHM.length + 1).split(/,\s*/)) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential');
  const signedHeaderList = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!credential || !signedHeaderList || !signature) {
    return { ok: false, reason: 'malformed authorization' };
  }
  const [accessKeyId = '', dateStamp = '', region, service, terminator] = credential.split('/');
  if (region !== options.region || service !== options.service || terminator !== 'aws4_request') {
    return { ok: false, reason: 'wrong credential scope' };
  }
  const secret = options.secretFor(accessKeyId);
  if (secret === undefined) return { ok: false, reason: 'unknown access key' };
  const date = single(request.headers['x-amz-date']);
  if (!date || !/^\d{8}T\d{6}Z$/.test(date) || date.slice(0, 8) !== dateStamp) {
    return { ok: false, reason: 'bad x-amz-date' };
  }
  const at = Date.UTC(
    Number(date.slice(0, 4)),
    Number(date.slice(4, 6)) - 1,
    Number(date.slice(6, 8)),
    Number(date.slice(9, 11)),
    Number(date.slice(11, 13)),
    Number(date.slice(13, 15)),
  );
  const now = (options.now ?? new Date()).getTime();
  if (Math.abs(now - at) > (options.maxSkewMs ?? 15 * 60_000)) {
    return { ok: false, reason: 'request time too skewed' };
  }
  const payloadHash = single(request.headers['x-amz-content-sha256']);
  if (!payloadHash) return { ok: false, reason: 'missing x-amz-content-sha256' };
  const names = signedHeaderList.split(';');
  if (!names.includes('host') || !names.includes('x-amz-date')) {
    return { ok: false, reason: 'host and x-amz-date must be signed' };
  }
  const headers: Record<string, string> = {};
  for (const name of names) {
    const value = request.headers[name];
    if (value === undefined) return { ok: false, reason: `signed header ${name} missing` };
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const q = request.target.indexOf('?');
  const canonical = canonicalRequest({
    method: request.method,
    rawPath: q < 0 ? request.target : request.target.slice(0, q),
    rawQuery: q < 0 ? '' : request.target.slice(q + 1),
    headers,
    payloadHash,
  });
  const scope = `${dateStamp}/${region}/${service}/aws4_request`;
  const key = signingKey(secret, dateStamp, region, service);
  const expected = hmac(key, stringToSign(date, scope, canonical.text));
  const given = Buffer.from(signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'signature mismatch' };
  }
  return { ok: true, accessKeyId, payloadHash };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

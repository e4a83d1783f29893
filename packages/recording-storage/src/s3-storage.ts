import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { type Readable } from 'node:stream';
import {
  type PutOptions,
  type RecordingStorage,
  StorageError,
  StorageNotFoundError,
  type StoredObject,
  assertSafeKey,
} from './storage';
import { type AwsCredentials, UNSIGNED_PAYLOAD, sha256Hex, signRequest, uriEncode } from './sigv4';

/**
 * Recordings in S3 or an S3-compatible object store (MinIO, Ceph RGW, R2, Wasabi...),
 * over plain node http/https with AWS Signature V4: no SDK. One PUT per object (S3 allows
 * up to 5 GB in a single PUT; a 4-hour dual 16 kHz recording is under 1 GB).
 *
 * A Buffer body is signed with its SHA-256; a stream body is sent as UNSIGNED-PAYLOAD
 * (the transport is TLS in production; S3 accepts it) so it is never held in memory.
 */

export interface S3StorageOptions extends AwsCredentials {
  /** `https://s3.eu-west-1.amazonaws.com`, `http://127.0.0.1:9000`... */
  endpoint: string;
  region: string;
  bucket: string;
  /**
   * Path-style URLs (`endpoint/bucket/key`), which MinIO and most self-hosted stores need.
   * Virtual-hosted style (`bucket.endpoint/key`) otherwise. Default true.
   */
  forcePathStyle?: boolean;
  /** Per request, idle socket time included (default 60 s). */
  timeoutMs?: number;
}

const MAX_SINGLE_PUT = 5 * 1024 * 1024 * 1024;

export class S3Storage implements RecordingStorage {
  private readonly endpoint: URL;
  private readonly credentials: AwsCredentials;

  constructor(private readonly options: S3StorageOptions) {
    this.endpoint = new URL(options.endpoint);
    if (this.endpoint.protocol !== 'http:' && this.endpoint.protocol !== 'https:') {
      throw new RangeError('S3 endpoint must be an http(s) URL');
    }
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(options.bucket)) {
      throw new RangeError(`invalid bucket name ${JSON.stringify(options.bucket)}`);
    }
    this.credentials = {
      accessKeyId: options.accessKeyId,
      secretAccessKey: options.secretAccessKey,
      ...(options.sessionToken ? { sessionToken: options.sessionToken } : {}),
    };
  }

  /** The URL of an object. */
  objectUrl(key: string): URL {
    assertSafeKey(key);
    const url = new URL(this.endpoint.href);
    const base = url.pathname.replace(/\/+$/, '');
    const encodedKey = uriEncode(key, true);
    if (this.options.forcePathStyle ?? true) {
      url.pathname = `${base}/${this.options.bucket}/${encodedKey}`;
    } else {
      url.hostname = `${this.options.bucket}.${url.hostname}`;
      url.pathname = `${base}/${encodedKey}`;
    }
    return url;
  }

  async put(key: string, body: Buffer | Readable, options: PutOptions): Promise<StoredObject> {
    const url = this.objectUrl(key);
    let size: number;
    let payloadHash: string;
    if (Buffer.isBuffer(body)) {
      size = body.length;
      payloadHash = sha256Hex(body);
    } else {
      if (options.sizeBytes === undefined) {
        throw new RangeError('S3Storage.put needs sizeBytes for a stream body');
      }
      size = options.sizeBytes;
      payloadHash = UNSIGNED_PAYLOAD;
    }
    if (size > MAX_SINGLE_PUT) throw new RangeError('object larger than 5 GB (single PUT limit)');
    const response = await this.send('PUT', url, payloadHash, body, {
      'content-type': options.contentType,
      'content-length': String(size),
    });
    await expectStatus(response, [200], `PUT ${key}`);
    return { uri: `s3://${this.options.bucket}/${key}`, sizeBytes: size };
  }

  async get(key: string): Promise<Readable> {
    const response = await this.send('GET', this.objectUrl(key), sha256Hex(''), null, {});
    if (response.statusCode === 404) {
      response.resume();
      throw new StorageNotFoundError(key);
    }
    if (response.statusCode !== 200) await expectStatus(response, [200], `GET ${key}`);
    return response;
  }

  async delete(key: string): Promise<void> {
    const response = await this.send('DELETE', this.objectUrl(key), sha256Hex(''), null, {});
    // S3 answers 204 whether or not the object existed.
    await expectStatus(response, [200, 204, 404], `DELETE ${key}`);
  }

  private send(
    method: string,
    url: URL,
    payloadHash: string,
    body: Buffer | Readable | null,
    headers: Record<string, string>,
  ): Promise<IncomingMessage> {
    const signed = signRequest({ method, url, headers, payloadHash }, this.credentials, {
      region: this.options.region,
      service: 's3',
    });
    const isHttps = url.protocol === 'https:';
    return new Promise((resolve, reject) => {
      const req = (isHttps ? https : http).request(url, {
        method,
        headers: signed.headers,
        timeout: this.options.timeoutMs ?? 60_000,
      });
      req.once('timeout', () =>
        req.destroy(new StorageError(`${method} ${url.pathname} timed out`)),
      );
      req.once('error', (error) =>
        reject(
          error instanceof StorageError
            ? error
            : new StorageError(`${method} ${url.pathname} failed: ${error.message}`, {
                cause: error,
              }),
        ),
      );
      req.once('response', resolve);
      if (body === null) req.end();
      else if (Buffer.isBuffer(body)) req.end(body);
      else {
        body.once('error', (error) => req.destroy(error));
        body.pipe(req);
      }
    });
  }
}

async function expectStatus(
  response: IncomingMessage,
  expected: readonly number[],
  what: string,
): Promise<void> {
  const status = response.statusCode ?? 0;
  if (expected.includes(status)) {
    response.resume();
    return;
  }
  // S3 errors are small XML documents: keep the code for the message.
  let text = '';
  for await (const chunk of response) {
    if (text.length < 4096) text += (chunk as Buffer).toString('utf8');
  }
  const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
  throw new StorageError(`${what}: HTTP ${status}${code ? ` ${code}` : ''}`);
}

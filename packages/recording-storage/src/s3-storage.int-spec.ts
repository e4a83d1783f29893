import http from 'node:http';
import { type AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { S3Storage } from './s3-storage';
import { UNSIGNED_PAYLOAD, sha256Hex, verifyRequest } from './sigv4';
import { StorageError, StorageNotFoundError } from './storage';

/**
 * S3Storage against a tiny S3-compatible server on loopback that checks every request's
 * SigV4 signature with `verifyRequest` (and the body hash when one is signed). No real S3
 * or MinIO is involved.
 */

const ACCESS_KEY = 'PARLEYTESTACCESSKEY1';
const SECRET = 'parley/test+secret/0123456789abcdefghijklmn';

interface StoredEntry {
  body: Buffer;
  contentType: string;
}

let server: http.Server;
let endpoint: string;
const objects = new Map<string, StoredEntry>();
const log: Array<{ method: string; path: string; payloadHash: string }> = [];

function xmlError(res: http.ServerResponse, status: number, code: string): void {
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(`<?xml version="1.0"?><Error><Code>${code}</Code><Message>${code}</Message></Error>`);
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const verified = verifyRequest(
        { method: req.method ?? '', target: req.url ?? '', headers: req.headers },
        {
          secretFor: (id) => (id === ACCESS_KEY ? SECRET : undefined),
          region: 'eu-central-1',
          service: 's3',
        },
      );
      if (!verified.ok) return xmlError(res, 403, 'SignatureDoesNotMatch');
      if (verified.payloadHash !== UNSIGNED_PAYLOAD && verified.payloadHash !== sha256Hex(body)) {
        return xmlError(res, 400, 'XAmzContentSHA256Mismatch');
      }
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      log.push({ method: req.method ?? '', path, payloadHash: verified.payloadHash });
      if (!path.startsWith('/recordings/')) return xmlError(res, 404, 'NoSuchBucket');
      const key = path.slice('/recordings/'.length);
      switch (req.method ?? '') {
        case 'PUT':
          if (Number(req.headers['content-length']) !== body.length)
            return xmlError(res, 400, 'IncompleteBody');
          objects.set(key, { body, contentType: req.headers['content-type'] ?? '' });
          res.writeHead(200, { etag: `"${sha256Hex(body).slice(0, 32)}"` });
          return void res.end();
        case 'GET': {
          const entry = objects.get(key);
          if (!entry) return xmlError(res, 404, 'NoSuchKey');
          res.writeHead(200, {
            'content-type': entry.contentType,
            'content-length': entry.body.length,
          });
          return void res.end(entry.body);
        }
        case 'DELETE':
          objects.delete(key);
          res.writeHead(204);
          return void res.end();
        default:
          return xmlError(res, 405, 'MethodNotAllowed');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  objects.clear();
  log.length = 0;
});

const storage = (secret = SECRET): S3Storage =>
  new S3Storage({
    endpoint,
    region: 'eu-central-1',
    bucket: 'recordings',
    accessKeyId: ACCESS_KEY,
    secretAccessKey: secret,
    forcePathStyle: true,
  });

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('S3Storage (SigV4 over HTTP, against a verifying S3-compatible test server)', () => {
  it('puts a buffer with a signed body hash, gets it back and deletes it', async () => {
    const s3 = storage();
    const wav = Buffer.from('RIFF....WAVEfmt fake recording bytes');
    const stored = await s3.put('AC1/RE1.wav', wav, { contentType: 'audio/wav' });
    expect(stored).toEqual({ uri: 's3://recordings/AC1/RE1.wav', sizeBytes: wav.length });
    expect(objects.get('AC1/RE1.wav')).toEqual({ body: wav, contentType: 'audio/wav' });
    expect(log[0]?.payloadHash).toBe(sha256Hex(wav));
    expect(await readAll(await s3.get('AC1/RE1.wav'))).toEqual(wav);
    await s3.delete('AC1/RE1.wav');
    expect(objects.has('AC1/RE1.wav')).toBe(false);
    await expect(s3.get('AC1/RE1.wav')).rejects.toBeInstanceOf(StorageNotFoundError);
  });

  it('streams a large body without buffering it (UNSIGNED-PAYLOAD)', async () => {
    const chunk = Buffer.alloc(64 * 1024, 7);
    const count = 40; // 2.5 MiB
    const stream = Readable.from(
      (function* () {
        for (let i = 0; i < count; i++) yield chunk;
      })(),
    );
    const stored = await storage().put('AC1/long.wav', stream, {
      contentType: 'audio/wav',
      sizeBytes: chunk.length * count,
    });
    expect(stored.sizeBytes).toBe(chunk.length * count);
    expect(objects.get('AC1/long.wav')?.body.length).toBe(chunk.length * count);
    expect(log[0]?.payloadHash).toBe(UNSIGNED_PAYLOAD);
  });

  it('signs nested keys with dots, dashes and underscores', async () => {
    const s3 = storage();
    await s3.put('AC1/2024-01-01_call.v2.wav', Buffer.from('x'), { contentType: 'audio/wav' });
    expect(objects.has('AC1/2024-01-01_call.v2.wav')).toBe(true);
  });

  it('fails with a StorageError carrying the S3 error code on a bad signature', async () => {
    const error = await storage('wrong-secret')
      .put('AC1/x.wav', Buffer.from('x'), { contentType: 'audio/wav' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as Error).message).toContain('403 SignatureDoesNotMatch');
    expect(objects.size).toBe(0);
  });

  it('needs the size of a stream body and a safe key', async () => {
    await expect(
      storage().put('AC1/x.wav', Readable.from([Buffer.from('x')]), { contentType: 'audio/wav' }),
    ).rejects.toThrow(/sizeBytes/);
    await expect(
      storage().put('../x.wav', Buffer.from('x'), { contentType: 'audio/wav' }),
    ).rejects.toThrow(RangeError);
  });

  it('builds path-style and virtual-hosted URLs', () => {
    const options = {
      region: 'us-east-1',
      bucket: 'my-bucket',
      accessKeyId: 'a',
      secretAccessKey: 'b',
    };
    expect(
      new S3Storage({ ...options, endpoint: 'http://minio:9000' }).objectUrl('AC1/RE_1.wav').href,
    ).toBe('http://minio:9000/my-bucket/AC1/RE_1.wav');
    expect(
      new S3Storage({
        ...options,
        endpoint: 'https://s3.us-east-1.amazonaws.com',
        forcePathStyle: false,
      }).objectUrl('k.wav').href,
    ).toBe('https://my-bucket.s3.us-east-1.amazonaws.com/k.wav');
    expect(() => new S3Storage({ ...options, endpoint: 'ftp://x', bucket: 'b1' })).toThrow(
      RangeError,
    );
  });
});

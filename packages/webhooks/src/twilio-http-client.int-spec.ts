import http, {
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { type AddressInfo, type Socket } from 'node:net';
import twilio from 'twilio';
import { AddressPolicy } from './address-policy';
import { type HostResolver } from './safe-http';
import {
  TwilioHttpClient,
  type TwilioHttpFailure,
  type TwilioHttpResult,
} from './twilio-http-client';

// Real HTTP servers on 127.0.0.1, allowed through the operator allow-list; every request
// they receive is checked with the official twilio package's validateRequest.

const authToken = 'test-auth-token';

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  params: Record<string, string | string[]>;
  signatureValid: boolean;
}

type Handler = (req: IncomingMessage, res: ServerResponse, received: Received) => void;

function formParams(body: string): Record<string, string | string[]> {
  const params: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(body)) {
    const previous = params[name];
    if (previous === undefined) params[name] = value;
    else params[name] = Array.isArray(previous) ? [...previous, value] : [previous, value];
  }
  return params;
}

class TestServer {
  readonly received: Received[] = [];
  private readonly routes = new Map<string, Handler>();
  private readonly sockets = new Set<Socket>();
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const params = req.method === 'POST' ? formParams(body) : {};
      const url = `${this.origin}${req.url ?? '/'}`;
      const received: Received = {
        method: req.method ?? '',
        url,
        headers: req.headers,
        body,
        params,
        signatureValid: twilio.validateRequest(
          authToken,
          String(req.headers['x-twilio-signature'] ?? ''),
          url,
          params,
        ),
      };
      this.received.push(received);
      const path = new URL(url).pathname;
      const handler = this.routes.get(path);
      if (handler) handler(req, res, received);
      else res.writeHead(404).end();
    });
  });
  origin = '';

  async start(): Promise<this> {
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  route(path: string, handler: Handler): void {
    this.routes.set(path, handler);
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function twiml(res: ServerResponse, text = '<Response><Say>hi</Say></Response>'): void {
  res.writeHead(200, { 'content-type': 'text/xml' }).end(text);
}

function failed(result: TwilioHttpResult): TwilioHttpFailure {
  if (result.ok) throw new Error(`expected a failure, got HTTP ${result.status}`);
  return result;
}

/** A port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('TwilioHttpClient against local servers', () => {
  let server: TestServer;
  const policy = new AddressPolicy({ allowPrivateNetworks: ['127.0.0.1/32'] });
  const client = new TwilioHttpClient({ policy, retryBackoffMs: 1, maxResponseBytes: 1024 });
  const base = { authToken, idempotencyToken: 'idem-1' };

  beforeEach(async () => {
    server = await new TestServer().start();
  });
  afterEach(async () => {
    await server.stop();
  });

  it('POSTs a signed form that twilio.validateRequest accepts, with Twilio headers', async () => {
    server.route('/voice', (_req, res) => twiml(res));
    const result = await client.send({
      ...base,
      url: `${server.origin}/voice?step=1#ct=2000`,
      method: 'POST',
      params: {
        CallSid: 'CA1',
        From: 'whatsapp:+15550001',
        SpeechResult: 'héllo 😀',
        Tag: ['b', 'a'],
      },
    });
    expect(result).toMatchObject({
      ok: true,
      status: 200,
      contentType: 'text/xml',
      finalUrl: `${server.origin}/voice?step=1`,
      attempts: 1,
    });
    expect(result.ok && result.body.toString()).toBe('<Response><Say>hi</Say></Response>');
    const [received] = server.received;
    expect(received?.signatureValid).toBe(true);
    expect(received?.params).toEqual({
      CallSid: 'CA1',
      From: 'whatsapp:+15550001',
      SpeechResult: 'héllo 😀',
      Tag: ['b', 'a'],
    });
    expect(received?.headers).toMatchObject({
      'user-agent': 'TwilioProxy/1.1',
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      'i-twilio-idempotency-token': 'idem-1',
      accept: '*/*',
    });
  });

  it('GETs with the parameters in the query string, signed over the URL alone', async () => {
    server.route('/twiml', (_req, res) => twiml(res));
    const result = await client.send({
      ...base,
      url: `${server.origin}/twiml?existing=1`,
      method: 'GET',
      params: { CallSid: 'CA1', Digits: '1 2' },
      accept: 'text/xml',
    });
    expect(result.ok).toBe(true);
    const [received] = server.received;
    expect(received?.method).toBe('GET');
    expect(received?.url).toBe(`${server.origin}/twiml?existing=1&CallSid=CA1&Digits=1+2`);
    expect(received?.body).toBe('');
    expect(received?.signatureValid).toBe(true);
    expect(received?.headers.accept).toBe('text/xml');
  });

  it('retries a 5xx when rp allows it, with the same idempotency token', async () => {
    let calls = 0;
    server.route('/flaky', (_req, res) => {
      calls++;
      if (calls < 3) res.writeHead(503).end();
      else twiml(res);
    });
    const result = await client.send({
      ...base,
      url: `${server.origin}/flaky#rc=3&rp=5xx`,
      method: 'POST',
      params: { A: '1' },
    });
    expect(result).toMatchObject({ ok: true, attempts: 3 });
    expect(server.received.map((r) => r.headers['i-twilio-idempotency-token'])).toEqual([
      'idem-1',
      'idem-1',
      'idem-1',
    ]);
    expect(server.received.every((r) => r.signatureValid)).toBe(true);
  });

  it('does not retry a 5xx under the default policy (connect failures only)', async () => {
    server.route('/down', (_req, res) => res.writeHead(500).end());
    const result = failed(
      await client.send({ ...base, url: `${server.origin}/down`, method: 'POST' }),
    );
    expect(result).toMatchObject({
      errorCode: 11200,
      failure: 'http-status',
      status: 500,
      attempts: 1,
    });
    expect(server.received).toHaveLength(1);
  });

  it('stops after rc retries of a refused connection: 11205', async () => {
    const port = await closedPort();
    const result = failed(
      await client.send({ ...base, url: `http://127.0.0.1:${port}/x#rc=2`, method: 'GET' }),
    );
    expect(result).toMatchObject({ errorCode: 11205, failure: 'connect', attempts: 3 });
  });

  it('gives up after the read timeout, and retries it only under rp=rt', async () => {
    server.route('/silent', () => undefined);
    const once = failed(
      await client.send({ ...base, url: `${server.origin}/silent#rt=200&rc=0`, method: 'POST' }),
    );
    expect(once).toMatchObject({ errorCode: 11205, failure: 'read-timeout', attempts: 1 });
    const retried = failed(
      await client.send({
        ...base,
        url: `${server.origin}/silent#rt=200&rc=1&rp=rt`,
        method: 'POST',
      }),
    );
    expect(retried).toMatchObject({ failure: 'read-timeout', attempts: 2 });
  });

  it('bounds everything by the total timeout (tt)', async () => {
    server.route('/silent', () => undefined);
    const result = failed(
      await client.send({
        ...base,
        url: `${server.origin}/silent#tt=300&rc=5&rp=all`,
        method: 'GET',
      }),
    );
    expect(result).toMatchObject({ errorCode: 11205, failure: 'timeout' });
  });

  it('counts DNS time against the total timeout', async () => {
    const hanging: HostResolver = () => new Promise(() => undefined);
    const slowDns = new TwilioHttpClient({ policy, resolve: hanging });
    const result = failed(
      await slowDns.send({ ...base, url: 'http://customer.test/voice#tt=200', method: 'POST' }),
    );
    expect(result).toMatchObject({ errorCode: 11205, failure: 'timeout', attempts: 1 });
  });

  it('reports an unresolvable host as 11210', async () => {
    const nxdomain: HostResolver = () => Promise.reject(new Error('ENOTFOUND'));
    const result = failed(
      await new TwilioHttpClient({ policy, resolve: nxdomain }).send({
        ...base,
        url: 'http://nowhere.test/voice',
        method: 'POST',
      }),
    );
    expect(result).toMatchObject({ errorCode: 11210, failure: 'dns' });
  });

  it('follows a 303 as a GET and a 307 as a signed POST to the new URL', async () => {
    server.route('/see-other', (_req, res) =>
      res.writeHead(303, { location: '/next?from=303' }).end(),
    );
    server.route('/temporary', (_req, res) =>
      res.writeHead(307, { location: `${server.origin}/next?from=307` }).end(),
    );
    server.route('/next', (_req, res) => twiml(res));
    const seeOther = await client.send({
      ...base,
      url: `${server.origin}/see-other`,
      method: 'POST',
      params: { A: '1' },
    });
    expect(seeOther).toMatchObject({ ok: true, finalUrl: `${server.origin}/next?from=303` });
    const temporary = await client.send({
      ...base,
      url: `${server.origin}/temporary`,
      method: 'POST',
      params: { A: '1' },
    });
    expect(temporary).toMatchObject({ ok: true, finalUrl: `${server.origin}/next?from=307` });
    expect(
      server.received.map((r) => [r.method, new URL(r.url).pathname, r.body, r.signatureValid]),
    ).toEqual([
      ['POST', '/see-other', 'A=1', true],
      ['GET', '/next', '', true],
      ['POST', '/temporary', 'A=1', true],
      ['POST', '/next', 'A=1', true],
    ]);
  });

  it('stops a redirect loop: 11215', async () => {
    server.route('/loop', (_req, res) => res.writeHead(302, { location: '/loop' }).end());
    const result = failed(
      await new TwilioHttpClient({ policy, maxRedirects: 3 }).send({
        ...base,
        url: `${server.origin}/loop`,
        method: 'GET',
      }),
    );
    expect(result).toMatchObject({ errorCode: 11215, failure: 'too-many-redirects', attempts: 1 });
    expect(server.received).toHaveLength(4);
  });

  it('refuses a redirect to a private or metadata address before connecting', async () => {
    const toMetadata: HostResolver = (host) =>
      Promise.resolve(
        host === 'metadata.test'
          ? [{ address: '169.254.169.254', family: 4 as const }]
          : [{ address: '127.0.0.1', family: 4 as const }],
      );
    server.route('/to-loopback', (_req, res) =>
      res.writeHead(302, { location: `http://127.0.0.2:${new URL(server.origin).port}/` }).end(),
    );
    server.route('/to-metadata', (_req, res) =>
      res.writeHead(301, { location: 'http://metadata.test/latest/meta-data/' }).end(),
    );
    server.route('/to-mapped', (_req, res) =>
      res.writeHead(307, { location: 'http://[::ffff:a9fe:a9fe]/' }).end(),
    );
    const guarded = new TwilioHttpClient({ policy, resolve: toMetadata });
    for (const path of ['/to-loopback', '/to-metadata', '/to-mapped']) {
      const result = failed(
        await guarded.send({ ...base, url: `${server.origin}${path}#rc=3&rp=all`, method: 'POST' }),
      );
      expect(result).toMatchObject({ errorCode: 11205, failure: 'blocked-address', attempts: 1 });
    }
  });

  it('refuses a private destination unless allow-listed', async () => {
    const strict = new TwilioHttpClient({ policy: new AddressPolicy() });
    const result = failed(
      await strict.send({ ...base, url: `${server.origin}/voice`, method: 'GET' }),
    );
    expect(result).toMatchObject({ errorCode: 11205, failure: 'blocked-address' });
    expect(server.received).toHaveLength(0);
  });

  it('refuses a response body above the limit: 11750', async () => {
    server.route('/declared', (_req, res) =>
      res
        .writeHead(200, { 'content-type': 'text/xml', 'content-length': 2048 })
        .end('x'.repeat(2048)),
    );
    server.route('/chunked', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.write('x'.repeat(800));
      res.end('x'.repeat(800));
    });
    for (const path of ['/declared', '/chunked']) {
      const result = failed(
        await client.send({ ...base, url: `${server.origin}${path}`, method: 'GET' }),
      );
      expect(result).toMatchObject({ errorCode: 11750, failure: 'too-large', status: 200 });
    }
  });

  it('refuses a URL that is not http(s): 11100', async () => {
    const result = failed(
      await client.send({ ...base, url: 'ftp://example.com/x', method: 'GET' }),
    );
    expect(result).toMatchObject({ errorCode: 11100, failure: 'invalid-url', attempts: 0 });
  });
});

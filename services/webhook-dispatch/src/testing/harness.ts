import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import {
  type CallStatusChangedV1,
  type NatsBus,
  type RecordingStatusChangedV1,
  type StreamStatusChangedV1,
} from '@parley/contracts';
import { bootstrap, postgresOptions, runMigrations, type RunningService } from '@parley/nest-kit';
import {
  createTestDatabase,
  createTestNatsNamespace,
  type TestDatabase,
} from '@parley/nest-kit/testing';
import { getDataSourceToken } from '@nestjs/typeorm';
import { connect, type NatsConnection, type Subscription } from 'nats';
import twilio from 'twilio';
import { type DataSource } from 'typeorm';
import { type WebhookDispatchEnv } from '../config/env.schema';
import { service } from '../service';

/** Polls until `probe` gives a value, with a deadline (never a fixed sleep). */
export async function waitFor<T>(
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** One request the receiver got, as a business server sees it. */
export interface ReceivedCallback {
  method: string;
  path: string;
  /** The URL Twilio signed (the receiver's own address). */
  url: string;
  headers: IncomingMessage['headers'];
  params: Record<string, string>;
  /** `twilio.validateRequest` with the account's auth token: the official SDK's verdict. */
  signatureValid: boolean;
}

type Responder = (req: ReceivedCallback, res: ServerResponse) => void;

/**
 * A business's callback server on 127.0.0.1: records every request, checks its signature
 * with the official `twilio` package, and answers as the test says (200 by default).
 */
export class Receiver {
  readonly received: ReceivedCallback[] = [];
  private readonly responders = new Map<string, Responder>();
  private server!: Server;
  base = '';

  constructor(private readonly authTokens: Map<string, string>) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.onRequest(req, res));
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** How requests to `path` are answered. */
  on(path: string, responder: Responder): void {
    this.responders.set(path, responder);
  }

  forCall(callSid: string): ReceivedCallback[] {
    return this.received.filter((r) => r.params.CallSid === callSid);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = `${this.base}${req.url ?? '/'}`;
    const parsed = new URL(url);
    const body =
      req.method === 'POST'
        ? Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')))
        : {};
    const params = req.method === 'POST' ? body : Object.fromEntries(parsed.searchParams);
    const token = this.authTokens.get(params.AccountSid ?? '') ?? 'unknown';
    const received: ReceivedCallback = {
      method: req.method ?? '',
      path: parsed.pathname,
      url,
      headers: req.headers,
      params,
      signatureValid: twilio.validateRequest(
        token,
        String(req.headers['x-twilio-signature'] ?? ''),
        url,
        body,
      ),
    };
    this.received.push(received);
    const responder = this.responders.get(parsed.pathname);
    if (responder) responder(received, res);
    else res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  }
}

export interface Dispatcher {
  app: RunningService<WebhookDispatchEnv>;
  db: TestDatabase;
  nc: NatsConnection;
  /** The test's own bus: publishes as call-control does, serves the signing key. */
  bus: NatsBus;
  receiver: Receiver;
  authTokens: Map<string, string>;
  /** Stops the dispatcher (mid-flight) and starts a new one on the same database. */
  restart(): Promise<void>;
  query<R>(sql: string, params?: unknown[]): Promise<R[]>;
  close(): Promise<void>;
}

/**
 * webhook-dispatch as it runs (same `bootstrap()`), on a fresh database and a NATS
 * namespace of its own, with call-control's signing-key command answered by the test.
 */
export async function startDispatcher(
  label: string,
  env: Record<string, string> = {},
): Promise<Dispatcher> {
  const db = await createTestDatabase(`wd-${label}`);
  await runMigrations(
    postgresOptions({
      url: db.url,
      applicationName: 'wd-test-migrate',
      database: service.database,
    }),
  );
  const nats = await createTestNatsNamespace(`wd_${label}`);
  const nc = await connect({ servers: nats.url, name: `wd-test-${label}` });
  const bus = nats.bus(nc, { source: 'test', onError: () => undefined });
  const authTokens = new Map<string, string>();
  const signingKeys: Subscription = bus.handle('calls.v1.account.signing-key', (req) => {
    const authToken = authTokens.get(req.accountSid);
    if (!authToken) return Promise.reject(new Error(`no account ${req.accountSid}`));
    return Promise.resolve({ accountSid: req.accountSid, authToken });
  });
  const receiver = await new Receiver(authTokens).start();
  const fullEnv = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'error',
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: '0',
    DATABASE_URL: db.url,
    ...nats.env,
    INSTANCE_ID: `wd-test-${label}`,
    DELIVERY_POLL_MS: '100',
    DELIVERY_BACKOFF_BASE_MS: '100',
    DELIVERY_BACKOFF_MAX_MS: '400',
    DELIVERY_MAX_ATTEMPTS: '3',
    DELIVERY_LEASE_MS: '20000',
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: '127.0.0.1/32',
    // Every test's receiver and dead ports share the host 127.0.0.1: the breaker stays
    // out of the way unless a test turns it on.
    DELIVERY_CIRCUIT_FAILURES: '1000',
    ...env,
  };
  const boot = () => bootstrap(service, { handleSignals: false, env: fullEnv });
  let app = await boot();
  const dispatcher: Dispatcher = {
    app,
    db,
    nc,
    bus,
    receiver,
    authTokens,
    async restart() {
      await app.close();
      app = await boot();
      dispatcher.app = app;
    },
    query: <R>(sql: string, params: unknown[] = []) =>
      app.app.get<DataSource>(getDataSourceToken()).query<R[]>(sql, params),
    async close() {
      await app.close();
      signingKeys.unsubscribe();
      await receiver.close();
      await nc.drain();
      await nats.drop();
      await db.drop();
    },
  };
  return dispatcher;
}

let sidSeq = 0;
/** A fresh sid of the given prefix ('CA', 'AC', 'RE', 'MZ'...). */
export function newSid(prefix: 'AC' | 'CA' | 'HX' | 'RE' | 'SM' | 'XE' | 'MZ'): string {
  sidSeq += 1;
  const hex = `${Date.now().toString(16)}${sidSeq.toString(16).padStart(6, '0')}`;
  return `${prefix}${hex.padStart(32, 'a').slice(-32)}`;
}

/** A call's status events, as call-control publishes them (sequence 0 is its creation). */
export class CallEvents {
  readonly callSid = newSid('CA');
  private sequence = 0;
  private status: CallStatusChangedV1['status'] = 'queued';

  constructor(
    private readonly bus: NatsBus,
    readonly accountSid: string,
    private readonly statusCallback: CallStatusChangedV1['statusCallback'],
  ) {}

  event(status: CallStatusChangedV1['status']): CallStatusChangedV1 {
    this.sequence += 1;
    const previous = this.status;
    this.status = status;
    const ended = ['completed', 'busy', 'failed', 'no-answer', 'canceled'].includes(status);
    return {
      callSid: this.callSid,
      accountSid: this.accountSid,
      parentCallSid: null,
      direction: 'outbound-api',
      from: 'whatsapp:+14155550100',
      to: 'whatsapp:+4915112345678',
      status,
      previousStatus: previous,
      sequence: this.sequence,
      occurredAt: new Date().toISOString(),
      startTime: null,
      endTime: ended ? new Date().toISOString() : null,
      durationSec: ended ? 75 : null,
      errorCode: null,
      statusCallback: this.statusCallback,
    } as CallStatusChangedV1;
  }

  /** Publishes the next transition durably, de-duplicated like call-control's outbox. */
  async publish(status: CallStatusChangedV1['status']): Promise<CallStatusChangedV1> {
    const payload = this.event(status);
    await this.bus.publishDurable('calls.v1.call.status-changed', payload, {
      msgId: `${payload.callSid}:${payload.sequence}`,
    });
    return payload;
  }
}

export function recordingEvent(
  accountSid: string,
  callSid: string,
  over: Partial<RecordingStatusChangedV1>,
): RecordingStatusChangedV1 {
  return {
    recordingSid: newSid('RE'),
    accountSid,
    callSid,
    status: 'completed',
    source: 'OutboundAPI',
    channels: 1,
    track: 'both',
    startTime: new Date(Date.now() - 3_000).toISOString(),
    durationSec: 3,
    errorCode: null,
    mediaUrl: null,
    statusCallback: null,
    occurredAt: new Date().toISOString(),
    ...over,
  } as RecordingStatusChangedV1;
}

export function streamEvent(
  accountSid: string,
  callSid: string,
  over: Partial<StreamStatusChangedV1>,
): StreamStatusChangedV1 {
  return {
    streamSid: newSid('MZ'),
    accountSid,
    callSid,
    name: null,
    event: 'stream-started',
    error: null,
    errorCode: null,
    statusCallback: null,
    occurredAt: new Date().toISOString(),
    ...over,
  } as StreamStatusChangedV1;
}

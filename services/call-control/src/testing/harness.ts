import {
  type NatsBus,
  streams,
  type CallStatusChangedV1,
  type DurableEventSubject,
  type EventPayload,
  type CommandReply,
  type CommandRequest,
  ParleyError,
  type RecordingCompletedV1,
  type SessionStartRequestV1,
} from '@parley/contracts';
import {
  BusinessMediaPeer,
  encodeWav,
  generateTone,
  MetaSimClient,
  startMetaSim,
  type RunningMetaSim,
} from '@parley/meta-sim';
import { LocalDirectoryStorage, recordingKey } from '@parley/recording-storage';
import { bootstrap, postgresOptions, runMigrations, type RunningService } from '@parley/nest-kit';
import {
  createTestDatabase,
  createTestNatsNamespace,
  type TestDatabase,
  type TestNatsNamespace,
  TcpProxy,
} from '@parley/nest-kit/testing';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AckPolicy, connect, DeliverPolicy, type NatsConnection, type Subscription } from 'nats';
import { getDataSourceToken } from '@nestjs/typeorm';
import { type DataSource } from 'typeorm';
import { AccountsService } from '../accounts/accounts.service';
import { type CallControlEnv } from '../config/env.schema';
import { service } from '../service';
import { GraphFaults } from './graph-faults';

/** Polls until `probe` gives a value, with a deadline (never a fixed sleep). */
export async function waitFor<T>(
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== null && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${last instanceof Error ? last.message : JSON.stringify(last)})` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export interface TestAccount {
  sid: string;
  authToken: string;
}

/** A Twilio-style REST client of the service under test (form bodies, Basic auth). */
export class RestClient {
  constructor(
    readonly baseUrl: string,
    private readonly username: string,
    private readonly password: string,
  ) {}

  private auth(): string {
    return `Basic ${Buffer.from(`${this.username}:${this.password}`).toString('base64')}`;
  }

  async request(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    body?: Record<string, string | string[]> | { json: unknown },
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const headers: Record<string, string> = {
      authorization: this.auth(),
      accept: 'application/json',
    };
    let payload: string | undefined;
    if (body && 'json' in body) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body.json);
    } else if (body) {
      const form = new URLSearchParams();
      for (const [k, v] of Object.entries(body))
        for (const item of Array.isArray(v) ? v : [v]) form.append(k, item);
      headers['content-type'] = 'application/x-www-form-urlencoded';
      payload = form.toString();
    }
    const res = await fetch(this.baseUrl + path, {
      method,
      headers,
      ...(payload !== undefined ? { body: payload } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  get(path: string) {
    return this.request('GET', path);
  }
  post(path: string, body: Record<string, string | string[]> | { json: unknown }) {
    return this.request('POST', path, body);
  }
  delete(path: string) {
    return this.request('DELETE', path);
  }
}

/**
 * Stand-ins for the other Parley services, over the real NATS: media answers and offers
 * with a real WebRTC peer (the simulator's correct business edge, sending a tone), the
 * interpreter records the sessions it is given, consent answers as told.
 */
export class FakePeers {
  readonly sessions: SessionStartRequestV1[] = [];
  readonly redirects: SessionStartRequestV1[] = [];
  readonly consentQuestions: CommandRequest<'consent.v1.permission.check'>[] = [];
  readonly consentReleases: CommandRequest<'consent.v1.permission.release'>[] = [];
  readonly consentStateQuestions: CommandRequest<'consent.v1.permission.state'>[] = [];
  /** What consent answers to `consent.v1.permission.state` (set by a test). */
  consentState: (
    q: CommandRequest<'consent.v1.permission.state'>,
  ) => CommandReply<'consent.v1.permission.state'> = (q) => ({
    business: q.business,
    user: q.user,
    permission: 'none',
    permissionSource: null,
    grantedAt: null,
    expiresAt: null,
    consecutiveMissedCalls: 0,
    reprompt: false,
    calls: [],
    requests: [],
    nextCall: { allowed: false, errorCode: 37000, reason: 'permission-required: none' },
    nextRequest: { allowed: true, errorCode: null, reason: null },
  });
  readonly closedLegs: string[] = [];
  /** Recordings media was asked for, and those still running. */
  readonly recordingStarts: CommandRequest<'media.v1.recording.start'>[] = [];
  /** Streams media was asked to open (it "opens" each at once), and those running. */
  readonly streamStarts: CommandRequest<'media.v1.stream.start'>[] = [];
  private readonly activeStreams = new Map<string, CommandRequest<'media.v1.stream.start'>>();
  /** When set, media refuses to start recordings with this error. */
  recordingRefusal: ParleyError | null = null;
  private readonly activeRecordings = new Map<
    string,
    { req: CommandRequest<'media.v1.recording.start'>; startedAt: Date }
  >();
  consent: (
    q: CommandRequest<'consent.v1.permission.check'>,
  ) => CommandReply<'consent.v1.permission.check'> = () => ({
    allowed: true,
    errorCode: null,
    reason: null,
  });
  /** Call-permission request reservations and settlements consent was asked for. */
  readonly reservations: CommandRequest<'consent.v1.permission-request.reserve'>[] = [];
  readonly settlements: CommandRequest<'consent.v1.permission-request.settle'>[] = [];
  reserve: (
    q: CommandRequest<'consent.v1.permission-request.reserve'>,
  ) => CommandReply<'consent.v1.permission-request.reserve'> = () => ({
    allowed: true,
    errorCode: null,
    reason: null,
  });
  private readonly legs = new Map<string, BusinessMediaPeer>();
  private readonly subs: Subscription[] = [];

  constructor(
    private readonly bus: NatsBus,
    /** Where this stand-in for media writes recordings (call-control reads them there). */
    private readonly recordingsDir: string,
  ) {}

  serveAll(): this {
    return this.serveMedia().serveInterpreter().serveConsent().servePermissionRequests();
  }

  /** Consent's reserve/settle of call-permission requests, answered as `reserve` says. */
  servePermissionRequests(): this {
    this.subs.push(
      this.bus.handle('consent.v1.permission-request.reserve', (req) => {
        this.reservations.push(req);
        return Promise.resolve(this.reserve(req));
      }),
      this.bus.handle('consent.v1.permission-request.settle', (req) => {
        this.settlements.push(req);
        return Promise.resolve({ ok: true as const });
      }),
    );
    return this;
  }

  serveMedia(): this {
    this.subs.push(
      this.bus.handle('media.v1.leg.answer', async (req) => {
        const peer = await BusinessMediaPeer.create();
        this.legs.set(req.callSid, peer);
        const sdpAnswer = await peer.answerOffer(req.sdpOffer);
        peer.startTone(440);
        return { sdpAnswer };
      }),
      this.bus.handle('media.v1.leg.offer', async (req) => {
        const peer = await BusinessMediaPeer.create();
        this.legs.set(req.callSid, peer);
        return { sdpOffer: await peer.createOffer() };
      }),
      this.bus.handle('media.v1.leg.apply-answer', async (req) => {
        const peer = this.legs.get(req.callSid);
        if (!peer) throw new Error(`no leg ${req.callSid}`);
        await peer.applyAnswer(req.sdpAnswer);
        peer.startTone(440);
        return { ok: true as const };
      }),
      this.bus.handle('media.v1.recording.start', (req) => {
        if (this.recordingRefusal) return Promise.reject(this.recordingRefusal);
        if (!this.legs.has(req.callSid)) {
          return Promise.reject(new ParleyError(20404, `no leg ${req.callSid}`));
        }
        this.recordingStarts.push(req);
        this.activeRecordings.set(req.recordingSid, { req, startedAt: new Date() });
        return Promise.resolve({ recordingSid: req.recordingSid });
      }),
      this.bus.handle('media.v1.recording.stop', async (req) => {
        if (!this.activeRecordings.has(req.recordingSid)) {
          throw new ParleyError(20404, `no recording ${req.recordingSid}`);
        }
        await this.finishRecording(req.recordingSid, 'stopped');
        return { ok: true as const };
      }),
      this.bus.handle('media.v1.stream.start', async (req) => {
        if (!this.legs.has(req.callSid)) throw new ParleyError(20404, `no leg ${req.callSid}`);
        this.streamStarts.push(req);
        this.activeStreams.set(req.streamSid, req);
        await this.bus.publishDurable(
          'media.v1.stream.started',
          { ...this.streamEventBase(req), startedAt: new Date().toISOString() },
          { msgId: `${req.streamSid}:started` },
        );
        return { streamSid: req.streamSid };
      }),
      this.bus.handle('media.v1.stream.stop', async (req) => {
        let stopped = 0;
        for (const [sid, stream] of this.activeStreams) {
          if (stream.callSid !== req.callSid) continue;
          if (req.streamSid !== undefined && sid !== req.streamSid) continue;
          if (req.name !== undefined && stream.name !== req.name) continue;
          await this.endStream(sid, 'stopped');
          stopped++;
        }
        return { stopped };
      }),
      this.bus.handle('media.v1.leg.close', async (req) => {
        this.closedLegs.push(req.callSid);
        for (const [sid, stream] of this.activeStreams) {
          if (stream.callSid === req.callSid) await this.endStream(sid, 'hangup');
        }
        for (const [sid, rec] of this.activeRecordings) {
          if (rec.req.callSid === req.callSid) await this.finishRecording(sid, 'hangup');
        }
        const peer = this.legs.get(req.callSid);
        this.legs.delete(req.callSid);
        if (peer) await peer.close();
        return { closed: !!peer };
      }),
    );
    return this;
  }

  private streamEventBase(req: CommandRequest<'media.v1.stream.start'>) {
    return {
      streamSid: req.streamSid,
      callSid: req.callSid,
      accountSid: req.accountSid,
      name: req.name ?? null,
      url: req.url,
      track: req.track,
      bidirectional: req.bidirectional,
      statusCallback: req.statusCallback,
    };
  }

  /** Ends a running stream as media does: one durable `media.v1.stream.ended`. */
  async endStream(
    streamSid: string,
    reason: 'closed' | 'stopped' | 'hangup' | 'failed',
    error: { code: number; message: string } | null = null,
  ): Promise<void> {
    const req = this.activeStreams.get(streamSid);
    if (!req) throw new Error(`no stream ${streamSid}`);
    this.activeStreams.delete(streamSid);
    await this.bus.publishDurable(
      'media.v1.stream.ended',
      {
        ...this.streamEventBase(req),
        reason,
        errorCode: error?.code ?? null,
        errorMessage: error?.message ?? null,
        endedAt: new Date().toISOString(),
      },
      { msgId: `${streamSid}:ended` },
    );
  }

  serveInterpreter(): this {
    this.subs.push(
      this.bus.handle('twiml.v1.session.start', (req) => {
        this.sessions.push(req);
        return Promise.resolve({ accepted: true as const });
      }),
      this.bus.handle('twiml.v1.session.redirect', (req) => {
        this.redirects.push(req);
        return Promise.resolve({ accepted: true as const });
      }),
    );
    return this;
  }

  private consentSub: Subscription | undefined;

  serveConsent(): this {
    this.consentSub = this.bus.handle('consent.v1.permission.check', (req) => {
      this.consentQuestions.push(req);
      return Promise.resolve(this.consent(req));
    });
    this.subs.push(
      this.consentSub,
      this.bus.handle('consent.v1.permission.release', (req) => {
        this.consentReleases.push(req);
        return Promise.resolve({ released: true });
      }),
      this.bus.handle('consent.v1.permission.state', (req) => {
        this.consentStateQuestions.push(req);
        return Promise.resolve(this.consentState(req));
      }),
    );
    return this;
  }

  /** Consent stops answering (the service is down). */
  stopConsent(): void {
    this.consentSub?.unsubscribe();
  }

  /**
   * Ends a recording as media does: a WAV (one second of 440 Hz per channel) in recording
   * storage and a durable `media.v1.recording.completed`.
   */
  async finishRecording(
    recordingSid: string,
    reason: RecordingCompletedV1['reason'],
    status: RecordingCompletedV1['status'] = 'completed',
  ): Promise<void> {
    const rec = this.activeRecordings.get(recordingSid);
    if (!rec) throw new Error(`no recording ${recordingSid}`);
    this.activeRecordings.delete(recordingSid);
    const { req } = rec;
    const channels = req.channels === 'dual' ? 2 : 1;
    let stored: { uri: string; sizeBytes: number } | null = null;
    if (status === 'completed') {
      const tone = generateTone(440, 1000, { sampleRate: 8000 });
      const samples = new Int16Array(tone.length * channels);
      tone.forEach((v, i) => samples.fill(v, i * channels, (i + 1) * channels));
      stored = await new LocalDirectoryStorage(this.recordingsDir).put(
        recordingKey(req.accountSid, recordingSid),
        encodeWav(samples, 8000, channels),
        { contentType: 'audio/x-wav' },
      );
    }
    await this.bus.publishDurable(
      'media.v1.recording.completed',
      {
        recordingSid: req.recordingSid,
        accountSid: req.accountSid,
        callSid: req.callSid,
        source: req.source,
        track: req.track,
        status,
        reason,
        finishedOnKey: null,
        durationSec: stored ? 1 : 0,
        channels,
        storageUri: stored?.uri ?? null,
        sizeBytes: stored?.sizeBytes ?? 0,
        startedAt: rec.startedAt.toISOString(),
        completedAt: new Date().toISOString(),
      },
      { msgId: recordingSid },
    );
  }

  /**
   * media dies with a recording running: it never reports it. With `wav`, the file was
   * already in storage (media saves before it reports); without, nothing was saved.
   */
  async abandonRecording(recordingSid: string, opts: { wav: boolean }): Promise<void> {
    const rec = this.activeRecordings.get(recordingSid);
    if (!rec) throw new Error(`no recording ${recordingSid}`);
    this.activeRecordings.delete(recordingSid);
    if (!opts.wav) return;
    const channels = rec.req.channels === 'dual' ? 2 : 1;
    const tone = generateTone(440, 2000, { sampleRate: 8000 });
    const samples = new Int16Array(tone.length * channels);
    tone.forEach((v, i) => samples.fill(v, i * channels, (i + 1) * channels));
    await new LocalDirectoryStorage(this.recordingsDir).put(
      recordingKey(rec.req.accountSid, recordingSid),
      encodeWav(samples, 8000, channels),
      { contentType: 'audio/x-wav' },
    );
  }

  hasLeg(callSid: string): boolean {
    return this.legs.has(callSid);
  }

  async close(): Promise<void> {
    for (const s of this.subs) s.unsubscribe();
    await Promise.allSettled([...this.legs.values()].map((p) => p.close()));
    this.legs.clear();
  }
}

export interface Harness {
  app: RunningService<CallControlEnv>;
  url: string;
  /**
   * Stops the service and starts it again on the same database (a crash or a deploy);
   * `whileDown` runs in between (to leave the database as a crash would).
   */
  restart(whileDown?: () => Promise<void>): Promise<void>;
  db: TestDatabase;
  sim: RunningMetaSim;
  simClient: MetaSimClient;
  nc: NatsConnection;
  /** This harness's own NATS namespace (with its streams): pass `nats.env` to replicas. */
  nats: TestNatsNamespace;
  /** A NATS client of the test itself (the other services' side), in `nats`. */
  bus: NatsBus;
  peers: FakePeers;
  /** With `graphFaults: true`: the relay between the service and the simulator's Graph API. */
  graph: GraphFaults | undefined;
  /** With `natsProxy: true`: the relay between the service and NATS (to cut or black-hole). */
  natsProxy: TcpProxy | undefined;
  /** The service's local recording storage (RECORDINGS_DIR). */
  recordingsDir: string;
  createAccount(name?: string): Promise<TestAccount>;
  /** SQL against the service's database (through its own connection pool). */
  query<R>(sql: string, params?: unknown[]): Promise<R[]>;
  rest(account: TestAccount): RestClient;
  close(): Promise<void>;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  /** Start without the stand-ins (to test what happens when a service is missing). */
  peers?: 'all' | 'none';
  sim?: Parameters<typeof startMetaSim>[0];
  /** Put GraphFaults between the service and Meta (`h.graph`), to make Graph requests fail. */
  graphFaults?: boolean;
  /** Put a TcpProxy between the service and NATS (`h.natsProxy`); the test's own NATS is direct. */
  natsProxy?: boolean;
}

/**
 * The service as it runs in production (same `bootstrap()`), on a fresh PostgreSQL
 * database, the private NATS of the test run and the Meta simulator in-process.
 */
export async function startHarness(label: string, options: HarnessOptions = {}): Promise<Harness> {
  const db = await createTestDatabase(`cc-${label}`);
  await runMigrations(
    postgresOptions({
      url: db.url,
      applicationName: 'cc-test-migrate',
      database: service.database,
    }),
  );
  // Its own namespace: no other test file's service or stand-in sees its messages.
  const nats = await createTestNatsNamespace(`cc-${label}`);
  const nc = await connect({ servers: nats.url, name: `cc-test-${label}` });
  const bus = nats.bus(nc, { source: 'test', onError: () => undefined });
  const sim = await startMetaSim({
    port: 0,
    logLevel: 'error',
    webhookRetryDelaysMs: [200, 500, 1000],
    ...options.sim,
  });
  const graph = options.graphFaults ? await new GraphFaults(sim.url).start() : undefined;
  let natsProxy: TcpProxy | undefined;
  if (options.natsProxy) {
    const natsUrl = new URL(nats.url);
    natsProxy = new TcpProxy(natsUrl.hostname, Number(natsUrl.port || 4222));
    await natsProxy.start();
  }
  const recordingsDir = await mkdtemp(join(tmpdir(), `cc-recordings-${label}-`));
  const env = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'error',
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: '0',
    DATABASE_URL: db.url,
    DATABASE_POOL_MAX: '10',
    ...nats.env,
    ...(natsProxy ? { NATS_URL: `nats://127.0.0.1:${natsProxy.port}` } : {}),
    NATS_REQUEST_TIMEOUT_MS: '5000',
    META_GRAPH_BASE_URL: graph?.url ?? sim.url,
    META_GRAPH_VERSION: 'v23.0',
    META_GRAPH_TIMEOUT_MS: '5000',
    CALL_TIMER_POLL_MS: '100',
    OUTBOX_SWEEP_MS: '300',
    META_WEBHOOK_RETRY_MS: '100',
    INSTANCE_ID: `cc-test-${label}`,
    RECORDINGS_DIR: recordingsDir,
    ...options.env,
  };
  const boot = () => bootstrap(service, { handleSignals: false, env });
  let app = await boot();
  const peers = new FakePeers(bus, recordingsDir);
  if ((options.peers ?? 'all') === 'all') peers.serveAll();
  const harness: Harness = {
    app,
    url: app.url,
    async restart(whileDown) {
      await app.close();
      await whileDown?.();
      app = await boot();
      harness.app = app;
      // Same port is not guaranteed: the service comes back on a new one.
      harness.url = app.url;
    },
    db,
    sim,
    simClient: new MetaSimClient(sim.url),
    nc,
    nats,
    bus,
    peers,
    graph,
    natsProxy,
    recordingsDir,
    async createAccount(name = 'Test account') {
      const created = await app.app.get(AccountsService).create({ friendlyName: name });
      return { sid: created.account.sid, authToken: created.authToken };
    },
    rest: (account) => new RestClient(harness.url, account.sid, account.authToken),
    query: <R>(sql: string, params: unknown[] = []) =>
      app.app.get<DataSource>(getDataSourceToken()).query<R[]>(sql, params),
    async close() {
      await peers.close();
      await app.close();
      await sim.close();
      await graph?.close();
      await natsProxy?.stop();
      await nc.drain();
      await nats.drop();
      await db.drop();
      await rm(recordingsDir, { recursive: true, force: true });
    },
  };
  return harness;
}

/**
 * The durable events of `subject` that `match`, read back from JetStream (in the bus's
 * namespace) in order with their de-duplication ids, through a throwaway consumer.
 */
export async function publishedEvents<S extends DurableEventSubject>(
  bus: NatsBus,
  subject: S,
  match: (payload: EventPayload<S>) => boolean,
): Promise<{ payload: EventPayload<S>; msgId: string | undefined }[]> {
  const def = streams.find((d) => d.subjects.includes(subject));
  if (!def) throw new Error(`no stream holds ${subject}`);
  const nc = bus.connection;
  const stream = bus.jetStreamName(def.name);
  const jsm = await nc.jetstreamManager();
  const name = `cc_test_${Math.random().toString(36).slice(2, 10)}`;
  await jsm.consumers.add(stream, {
    name,
    ack_policy: AckPolicy.None,
    deliver_policy: DeliverPolicy.All,
    filter_subject: bus.wireSubject(subject),
    inactive_threshold: 30_000_000_000,
  });
  const consumer = await nc.jetstream().consumers.get(stream, name);
  const out: { payload: EventPayload<S>; msgId: string | undefined }[] = [];
  let pending = (await consumer.info()).num_pending;
  while (pending > 0) {
    const batch = await consumer.fetch({ max_messages: Math.min(pending, 256), expires: 2_000 });
    let got = 0;
    for await (const m of batch) {
      got++;
      const payload = m.json<EventPayload<S>>();
      if (match(payload)) out.push({ payload, msgId: m.headers?.get('Nats-Msg-Id') });
    }
    if (!got) break;
    pending -= got;
  }
  await jsm.consumers.delete(stream, name);
  return out;
}

/** Status events published for a call, read back from JetStream. */
export function publishedStatusEvents(
  bus: NatsBus,
  callSid: string,
): Promise<{ payload: CallStatusChangedV1; msgId: string | undefined }[]> {
  return publishedEvents(bus, 'calls.v1.call.status-changed', (e) => e.callSid === callSid);
}

export interface Tenant {
  account: TestAccount;
  rest: RestClient;
  applicationSid: string;
  senderSid: string;
  /** The business number at the simulator. */
  business: {
    phoneNumberId: string;
    wabaId: string;
    displayPhoneNumber: string;
    accessToken: string;
    appSecret: string;
  };
  senderId: string;
}

let numberSeq = 0;
/** A fresh valid-looking US business number per call, so tests never share a sender. */
export function nextBusinessNumber(): string {
  numberSeq += 1;
  return `1415555${String(1000 + (((Date.now() / 1000 + numberSeq * 7) % 8999) | 0)).padStart(4, '0')}`;
}

/**
 * An account with a TwiML application and a WhatsApp sender bound to a new business
 * number at the simulator (created through the REST API, calling enabled at Meta).
 */
export async function provisionTenant(
  h: Harness,
  opts: { voiceUrl?: string; withApplication?: boolean } = {},
): Promise<Tenant> {
  const account = await h.createAccount();
  const rest = h.rest(account);
  const app = await rest.post(`/2010-04-01/Accounts/${account.sid}/Applications.json`, {
    FriendlyName: 'WhatsApp IVR',
    VoiceUrl: opts.voiceUrl ?? 'https://example.com/voice',
    VoiceMethod: 'POST',
  });
  if (app.status !== 201) throw new Error(`application not created: ${JSON.stringify(app.body)}`);
  const display = nextBusinessNumber();
  const business = await h.simClient.createBusiness({
    displayPhoneNumber: display,
    webhookUrl: `${h.url}/meta/webhooks`,
  });
  const sender = await rest.post('/v2/Channels/Senders', {
    json: {
      sender_id: `whatsapp:+${business.displayPhoneNumber}`,
      configuration: {
        waba_id: business.wabaId,
        phone_number_id: business.phoneNumberId,
        access_token: business.accessToken,
        app_secret: business.appSecret,
        ...(opts.withApplication === false ? {} : { voice_application_sid: app.body.sid }),
      },
      profile: { name: 'Test Business' },
    },
  });
  if (sender.status !== 201) throw new Error(`sender not created: ${JSON.stringify(sender.body)}`);
  return {
    account,
    rest,
    applicationSid: String(app.body.sid),
    senderSid: String(sender.body.sid),
    business,
    senderId: `whatsapp:+${business.displayPhoneNumber}`,
  };
}

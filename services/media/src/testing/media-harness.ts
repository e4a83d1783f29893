import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type NatsBus,
  newSid,
  type DurableConsumer,
  type RecordingCompletedV1,
  type CommandReply,
  type CommandRequestInput,
  type CommandSubject,
  type EventPayload,
  type AnyEventSubject,
} from '@parley/contracts';
import { bootstrap, postgresOptions, runMigrations, type RunningService } from '@parley/nest-kit';
import {
  createTestDatabase,
  createTestNatsNamespace,
  type TestDatabase,
  type TestNatsNamespace,
} from '@parley/nest-kit/testing';
import { connect, type NatsConnection, type Subscription } from 'nats';
import { DataSource } from 'typeorm';
import { type MediaEnv } from '../config/env.schema';
import { service } from '../service';

export interface MediaHarnessOptions {
  label: string;
  /** Extra environment for the service (overrides the defaults below). */
  env?: Record<string, string>;
  /** Port ranges, so two harnesses on one machine never collide. */
  rtpenginePorts?: [number, number];
  mediasoupPorts?: [number, number];
}

/** Polls `check` until it returns a value (not undefined) or the deadline passes. */
export async function eventually<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The media service as tests and the bench run it: a fresh database with its migrations,
 * the real NATS of NATS_URL, real mediasoup workers and a real spawned rtpengine, all
 * through the same `bootstrap()` as production; plus a typed NATS client and a log of
 * the events the service published.
 */
export class MediaHarness {
  readonly events: { subject: AnyEventSubject; payload: unknown }[] = [];
  private readonly subscriptions: Subscription[] = [];

  readonly recordings: RecordingCompletedV1[] = [];
  private consumer: DurableConsumer | null = null;
  private closing: Promise<void> | null = null;

  private constructor(
    readonly running: RunningService<MediaEnv>,
    readonly bus: NatsBus,
    private readonly nc: NatsConnection,
    /** The harness's own NATS namespace: no other test file sees its messages. */
    readonly nats: TestNatsNamespace,
    private readonly db: TestDatabase,
    /** Where `local` storage puts recordings. */
    readonly recordingsDir: string,
  ) {}

  static async start(opts: MediaHarnessOptions): Promise<MediaHarness> {
    const bin = process.env.MEDIASOUP_WORKER_BIN;
    if (!bin) throw new Error('MEDIASOUP_WORKER_BIN must point to the mediasoup worker');
    const db = await createTestDatabase(opts.label);
    const nats = await createTestNatsNamespace(opts.label);
    const recordingsDir = await mkdtemp(join(tmpdir(), 'parley-media-test-'));
    const [rtpMin, rtpMax] = opts.rtpenginePorts ?? [31_000, 31_999];
    const [msMin, msMax] = opts.mediasoupPorts ?? [42_000, 42_999];
    const env: Record<string, string> = {
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.MEDIA_TEST_LOG_LEVEL ?? 'warn',
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: '0',
      DATABASE_URL: db.url,
      ...nats.env,
      INSTANCE_ID: `media-test-${randomBytes(4).toString('hex')}`,
      MEDIASOUP_WORKER_BIN: bin,
      MEDIASOUP_NUM_WORKERS: '2',
      MEDIASOUP_RTC_MIN_PORT: String(msMin),
      MEDIASOUP_RTC_MAX_PORT: String(msMax),
      RTPENGINE_PORT_MIN: String(rtpMin),
      RTPENGINE_PORT_MAX: String(rtpMax),
      RTPENGINE_INTERFACE: '127.0.0.1',
      SHUTDOWN_GRACE_MS: '3000',
      RECORDINGS_DIR: recordingsDir,
      ...opts.env,
    };
    await runMigrations(
      postgresOptions({ url: db.url, applicationName: 'media-test', database: service.database }),
    );
    const running = await bootstrap(service, { env, handleSignals: false });
    const nc = await connect({ servers: nats.url, name: `media-test-client` });
    const bus = nats.bus(nc, { source: 'media-test/client' });
    const harness = new MediaHarness(running, bus, nc, nats, db, recordingsDir);
    harness.consumer = await bus.consumeDurable({
      stream: 'PARLEY_MEDIA',
      durable: `media-test-${env.INSTANCE_ID}`,
      subject: 'media.v1.recording.completed',
      startAt: 'new',
      handler: (payload) => {
        harness.recordings.push(payload);
        return Promise.resolve();
      },
    });
    for (const subject of [
      'media.v1.leg.connected',
      'media.v1.leg.failed',
      'media.v1.play.finished',
      'media.v1.dtmf.received',
      'media.v1.stream.started',
      'media.v1.stream.ended',
    ] as const) {
      harness.subscriptions.push(
        bus.subscribe(subject, (payload) => {
          harness.events.push({ subject, payload });
        }),
      );
    }
    await nc.flush();
    return harness;
  }

  /** A fresh CallSid. */
  static callSid(): ReturnType<typeof newSid<'CA'>> {
    return newSid('CA');
  }

  request<S extends CommandSubject>(
    subject: S,
    payload: CommandRequestInput<S>,
    timeoutMs = 10_000,
  ): Promise<CommandReply<S>> {
    return this.bus.request(subject, payload, { timeoutMs });
  }

  /** Events of `subject` published so far (optionally only those matching `filter`). */
  eventsOf<S extends AnyEventSubject>(
    subject: S,
    filter: (p: EventPayload<S>) => boolean = () => true,
  ): EventPayload<S>[] {
    return this.events
      .filter((e) => e.subject === subject)
      .map((e) => e.payload as EventPayload<S>)
      .filter(filter);
  }

  waitForEvent<S extends AnyEventSubject>(
    subject: S,
    filter: (p: EventPayload<S>) => boolean,
    timeoutMs = 15_000,
  ): Promise<EventPayload<S>> {
    return eventually(subject, () => this.eventsOf(subject, filter)[0], timeoutMs);
  }

  /** The durable `media.v1.recording.completed` of a recording, once it arrived. */
  waitForRecording(recordingSid: string, timeoutMs = 15_000): Promise<RecordingCompletedV1> {
    return eventually(
      `recording ${recordingSid}`,
      () => this.recordings.find((r) => r.recordingSid === recordingSid),
      timeoutMs,
    );
  }

  /** GET a path of the service's HTTP listener as JSON or text. */
  async http(path: string): Promise<string> {
    const res = await fetch(`${this.running.url}${path}`);
    return res.text();
  }

  /** A Prometheus sample of /metrics, by name and optional label set. */
  async metric(name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
    const text = await this.http('/metrics');
    for (const line of text.split('\n')) {
      if (!line.startsWith(name)) continue;
      const m = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
      if (!m || m[1] !== name) continue;
      const set = m[2] ?? '';
      if (Object.entries(labels).every(([k, v]) => set.includes(`${k}="${v}"`))) {
        return Number(m[3]);
      }
    }
    return undefined;
  }

  /** SQL against the service's database. */
  async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.running.app.get(DataSource).query<T[]>(sql, params);
  }

  /** Closes the service as SIGTERM does (drain, then stop); once. */
  closeService(): Promise<void> {
    this.closing ??= this.running.close();
    return this.closing;
  }

  async stop(): Promise<void> {
    await this.consumer?.stop();
    for (const s of this.subscriptions) s.unsubscribe();
    await this.nc.drain().catch(() => undefined);
    await this.closeService();
    // The namespace's streams go with their consumers and messages.
    await this.nats.drop();
    await this.db.drop();
    await rm(this.recordingsDir, { recursive: true, force: true });
  }
}

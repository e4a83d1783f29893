import { randomBytes } from 'node:crypto';
import { getDataSourceToken } from '@nestjs/typeorm';
import {
  type CallPermissionRepliedV1,
  type CallStatus,
  type CallStatusChangedV1,
  type CommandReply,
  type CommandSubject,
  type CommandRequestInput,
  type NatsBus,
} from '@parley/contracts';
import { bootstrap, postgresOptions, runMigrations, type RunningService } from '@parley/nest-kit';
import {
  createTestDatabase,
  createTestNatsNamespace,
  type TestDatabase,
  type TestNatsNamespace,
} from '@parley/nest-kit/testing';
import { connect, type NatsConnection } from 'nats';
import { type DataSource } from 'typeorm';
import { Clock } from '../common/clock';
import { type ConsentEnv } from '../config/env.schema';
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

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
export const newCallSid = () => `CA${hex(16)}`;
export const newAccountSid = () => `AC${hex(16)}`;
export const newSenderSid = () => `XE${hex(16)}`;
/** A fresh (possible, unassigned-looking) German mobile number per test user. */
export const newUser = () =>
  `whatsapp:+49151${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;

/** A clock the test moves: every consent instance reads it. */
export class TestClock {
  nowMs = Date.parse('2026-12-01T00:00:00.000Z');
  now = () => new Date(this.nowMs);
  set(at: Date | number): void {
    this.nowMs = typeof at === 'number' ? at : at.getTime();
  }
}

export interface ConsentHarness {
  instances: RunningService<ConsentEnv>[];
  db: TestDatabase;
  nats: TestNatsNamespace;
  nc: NatsConnection;
  bus: NatsBus;
  clock: TestClock;
  check(
    req: CommandRequestInput<'consent.v1.permission.check'>,
  ): Promise<CommandReply<'consent.v1.permission.check'>>;
  request<S extends CommandSubject>(
    subject: S,
    req: CommandRequestInput<S>,
  ): Promise<CommandReply<S>>;
  /** Stops every instance and starts `count` new ones on the same database and streams. */
  restart(count?: number): Promise<void>;
  stopAll(): Promise<void>;
  startOne(): Promise<RunningService<ConsentEnv>>;
  query<R>(sql: string, params?: unknown[]): Promise<R[]>;
  /** Waits until the ledger holds the entry with this dedup key. */
  ledgerHas(dedupKey: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * The consent service as it runs (same `bootstrap()`), `count` instances on one fresh
 * database and one NATS namespace of their own, with a clock the test controls.
 */
export async function startConsent(
  label: string,
  options: { count?: number; env?: Record<string, string> } = {},
): Promise<ConsentHarness> {
  const db = await createTestDatabase(`consent-${label}`);
  await runMigrations(
    postgresOptions({ url: db.url, applicationName: 'consent-test', database: service.database }),
  );
  const nats = await createTestNatsNamespace(`consent_${label}`);
  const nc = await connect({ servers: nats.url, name: `consent-test-${label}` });
  const bus = nats.bus(nc, { source: 'test', onError: () => undefined });
  const clock = new TestClock();
  let seq = 0;
  const env = () => ({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'error',
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: '0',
    DATABASE_URL: db.url,
    ...nats.env,
    INSTANCE_ID: `consent-test-${label}-${++seq}`,
    ...options.env,
  });
  const startOne = async () => {
    const app = await bootstrap(service, { handleSignals: false, env: env() });
    app.app.get(Clock).now = clock.now;
    return app;
  };
  const h: ConsentHarness = {
    instances: [],
    db,
    nats,
    nc,
    bus,
    clock,
    check: (req) => bus.request('consent.v1.permission.check', req, { timeoutMs: 20_000 }),
    request: (subject, req) => bus.request(subject, req, { timeoutMs: 20_000 }),
    startOne,
    async stopAll() {
      for (const app of h.instances.splice(0)) await app.close();
    },
    async restart(count = 1) {
      await h.stopAll();
      for (let i = 0; i < count; i++) h.instances.push(await startOne());
    },
    query: <R>(sql: string, params: unknown[] = []) =>
      db.url && h.instances[0]
        ? h.instances[0].app.get<DataSource>(getDataSourceToken()).query<R[]>(sql, params)
        : Promise.reject(new Error('no consent instance running')),
    async ledgerHas(dedupKey) {
      await waitFor(
        async () =>
          (
            await h.query<{ n: string }>(
              'SELECT count(*) AS n FROM consent.ledger_entries WHERE dedup_key = $1',
              [dedupKey],
            )
          )[0]?.n === '1',
        `ledger entry ${dedupKey}`,
      );
    },
    async close() {
      await h.stopAll();
      await nc.drain();
      await nats.drop();
      await db.drop();
    },
  };
  for (let i = 0; i < (options.count ?? 1); i++) h.instances.push(await startOne());
  return h;
}

/** One (account, business number, user) pair, and events about it as call-control publishes them. */
export class Pair {
  readonly accountSid: string;
  readonly senderSid = newSenderSid();
  readonly business: string;
  readonly user: string;

  constructor(
    readonly h: ConsentHarness,
    over: { accountSid?: string; business?: string; user?: string } = {},
  ) {
    this.accountSid = over.accountSid ?? newAccountSid();
    this.business = over.business ?? 'whatsapp:+15550100001';
    this.user = over.user ?? newUser();
  }

  get parties() {
    return {
      accountSid: this.accountSid,
      senderSid: this.senderSid,
      business: this.business,
      user: this.user,
    };
  }

  check(callSid?: string, extra: Partial<CommandRequestInput<'consent.v1.permission.check'>> = {}) {
    return this.h.check({ ...this.parties, ...(callSid ? { callSid } : {}), ...extra });
  }

  state() {
    return this.h.request('consent.v1.permission.state', {
      accountSid: this.accountSid,
      business: this.business,
      user: this.user,
    });
  }

  /** The user answered a permission request (Meta's webhook, through call-control). */
  async reply(
    response: 'accept' | 'reject',
    opts: { permanent?: boolean; source?: 'user_action' | 'automatic'; messageId?: string } = {},
  ): Promise<CallPermissionRepliedV1> {
    const event = {
      accountSid: this.accountSid,
      senderSid: this.senderSid,
      business: this.business,
      user: this.user,
      response,
      isPermanent: opts.permanent ?? false,
      expiresAt: null,
      responseSource: opts.source ?? 'user_action',
      messageId: opts.messageId ?? `wamid.${hex(12)}`,
      repliedAt: this.h.clock.now().toISOString(),
    } as CallPermissionRepliedV1;
    await this.h.bus.publishDurable('calls.v1.permission.replied', event, {
      msgId: `permission-reply:${event.messageId}:${hex(4)}`,
    });
    await this.h.ledgerHas(`reply:${event.messageId}`);
    return event;
  }

  /** A status event of a call, published durably as call-control's outbox does. */
  async status(
    callSid: string,
    status: CallStatus,
    over: Partial<CallStatusChangedV1> & { sequence: number },
  ): Promise<CallStatusChangedV1> {
    const now = this.h.clock.now().toISOString();
    const inbound = over.direction === 'inbound';
    const event = {
      callSid,
      accountSid: this.accountSid,
      parentCallSid: null,
      direction: 'outbound-api',
      from: inbound ? this.user : this.business,
      to: inbound ? this.business : this.user,
      status,
      previousStatus: null,
      occurredAt: now,
      startTime: null,
      endTime: null,
      durationSec: null,
      errorCode: null,
      statusCallback: null,
      ...over,
    } as CallStatusChangedV1;
    await this.h.bus.publishDurable('calls.v1.call.status-changed', event, {
      msgId: `${callSid}:${event.sequence}`,
    });
    return event;
  }

  /**
   * A business-initiated call, checked (it must be allowed) and run to its outcome:
   * `connected` (answered, then completed), `missed` (rang, no answer) or `released`
   * (failed before reaching Meta).
   */
  async call(outcome: 'connected' | 'missed' | 'released', opts: { checked?: boolean } = {}) {
    const callSid = newCallSid();
    if (opts.checked ?? true) {
      const reply = await this.check(callSid);
      if (!reply.allowed) throw new Error(`call refused while setting up: ${reply.reason}`);
    }
    const now = this.h.clock.now().toISOString();
    await this.status(callSid, 'queued', { sequence: 0 });
    if (outcome === 'connected') {
      await this.status(callSid, 'in-progress', {
        sequence: 1,
        startTime: now,
        metaCallId: 'wacid.x',
      });
      await this.status(callSid, 'completed', {
        sequence: 2,
        startTime: now,
        endTime: now,
        metaCallId: 'wacid.x',
      });
    } else if (outcome === 'missed') {
      await this.status(callSid, 'no-answer', { sequence: 1, endTime: now, metaCallId: 'wacid.x' });
    } else {
      await this.status(callSid, 'failed', { sequence: 1, endTime: now, metaCallId: null });
    }
    await this.h.ledgerHas(`call:${callSid}:outcome`);
    return callSid;
  }

  /** The user called the business (sender's callback permission on or off). */
  async userCall(callbackPermission: boolean) {
    const callSid = newCallSid();
    await this.status(callSid, 'ringing', {
      sequence: 0,
      direction: 'inbound',
      callbackPermission,
      metaCallId: 'wacid.in',
    });
    await this.h.ledgerHas(`call:${callSid}:user-initiated`);
    return callSid;
  }

  reserveRequest(requestRef = `SM${hex(16)}`) {
    return this.h.request('consent.v1.permission-request.reserve', {
      accountSid: this.accountSid,
      senderSid: this.senderSid,
      business: this.business,
      user: this.user,
      requestRef,
    });
  }

  /** A permission request reserved and settled (`sent` or `failed`). */
  async sendRequest(outcome: 'sent' | 'failed' = 'sent') {
    const requestRef = `SM${hex(16)}`;
    const reply = await this.reserveRequest(requestRef);
    if (!reply.allowed) throw new Error(`request refused while setting up: ${reply.reason}`);
    await this.h.request('consent.v1.permission-request.settle', {
      accountSid: this.accountSid,
      requestRef,
      outcome,
    });
    return requestRef;
  }
}

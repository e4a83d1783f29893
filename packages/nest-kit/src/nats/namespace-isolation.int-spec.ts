import { Module } from '@nestjs/common';
import {
  newSid,
  type AccountSid,
  type CallSid,
  type EventPayload,
  type NatsBus,
} from '@parley/contracts';
import { connect, type NatsConnection } from 'nats';
import { bootstrap, type RunningService, type ServiceDefinition } from '../bootstrap';
import { baseEnvSchema, type BaseEnv } from '../config/env';
import { createTestDatabase, type TestDatabase } from '../testing/database';
import { createTestNatsNamespace, type TestNatsNamespace } from '../testing/nats-namespace';

@Module({})
class NothingModule {}

const envSchema = baseEnvSchema({ httpPort: 0 });
const definition: ServiceDefinition<BaseEnv> = {
  name: 'consent',
  version: '9.9.9-test',
  envSchema,
  database: { schema: 'kit_isolation', entities: [], migrations: [] },
  imports: () => [NothingModule],
};

async function eventually<T>(what: string, probe: () => T | undefined): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** One Parley deployment: a service (NestJS transport and bus) and a client bus, in a namespace. */
interface ServiceSet {
  tag: 'A' | 'B';
  ns: TestNatsNamespace;
  service: RunningService<BaseEnv>;
  nc: NatsConnection;
  bus: NatsBus;
  /** CallSids of the core events this set's subscriber received. */
  events: string[];
  /** Account sids of the durable events this set's durable consumer received. */
  durables: AccountSid[];
  stopConsumer: () => Promise<void>;
}

const DURABLE = 'isolation-proof';
/** The accounts of each side's durable events, and of its sentinel. */
const ACCOUNT = { A: newSid('AC'), B: newSid('AC') } as const;
const SENTINEL = { A: newSid('AC'), B: newSid('AC') } as const;

/** A CallSid per label, so a received event tells which message it was. */
const callSids = new Map<string, CallSid>();
function callOf(label: string): CallSid {
  const known = callSids.get(label);
  if (known) return known;
  const sid = newSid('CA');
  callSids.set(label, sid);
  return sid;
}

function dtmf(label: string): EventPayload<'media.v1.dtmf.received'> {
  return {
    callSid: callOf(label),
    digit: '5',
    durationMs: 100,
    sequence: 0,
    receivedAt: new Date().toISOString(),
  };
}

/**
 * Two deployments on one NATS server, each in its own namespace, using the same logical
 * subjects, the same queue group and the same durable consumer name: each sees only its
 * own messages. Absence is proven with a sentinel sent after the other side's messages
 * (NATS and a stream deliver in order), never by waiting for a while.
 */
describe('two Parley deployments on one NATS server', () => {
  let db: TestDatabase;
  const sets: ServiceSet[] = [];
  const set = (tag: 'A' | 'B'): ServiceSet => sets.find((s) => s.tag === tag)!;

  async function startSet(tag: 'A' | 'B'): Promise<ServiceSet> {
    const ns = await createTestNatsNamespace(`isolation_${tag}`);
    const service = await bootstrap(definition, {
      handleSignals: false,
      env: {
        LOG_LEVEL: 'silent',
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: '0',
        DATABASE_URL: db.url,
        INSTANCE_ID: `consent-${tag}`,
        ...ns.env,
      },
    });
    const nc = await connect({ servers: ns.url });
    const bus = ns.bus(nc, { source: `isolation/${tag}` });
    const s: ServiceSet = {
      tag,
      ns,
      service,
      nc,
      bus,
      events: [],
      durables: [],
      stopConsumer: () => Promise.resolve(),
    };
    bus.subscribe('media.v1.dtmf.received', (e) => void s.events.push(e.callSid));
    const consumer = await bus.consumeDurable({
      stream: 'PARLEY_CALLS',
      durable: DURABLE,
      subject: 'calls.v1.call.status-changed',
      handler: (e) => {
        s.durables.push(e.accountSid);
        return Promise.resolve();
      },
    });
    s.stopConsumer = () => consumer.stop();
    await nc.flush();
    return s;
  }

  function statusEvent(accountSid: AccountSid): EventPayload<'calls.v1.call.status-changed'> {
    return {
      callSid: newSid('CA'),
      accountSid,
      parentCallSid: null,
      direction: 'inbound',
      from: 'whatsapp:+14155550100',
      to: 'whatsapp:+14155550199',
      status: 'ringing',
      previousStatus: null,
      sequence: 0,
      occurredAt: new Date().toISOString(),
      startTime: null,
      endTime: null,
      durationSec: null,
      errorCode: null,
      statusCallback: null,
    };
  }

  beforeAll(async () => {
    db = await createTestDatabase('kit_isolation');
    sets.push(await startSet('A'), await startSet('B'));
  });

  afterAll(async () => {
    for (const s of sets) {
      await s.stopConsumer();
      await s.nc.drain();
      await s.service.close();
      await s.ns.drop();
    }
    await db?.drop();
  });

  it('puts each deployment in its own namespace, streams and durable consumer', async () => {
    const a = set('A');
    const b = set('B');
    expect(a.ns.namespace).not.toBe(b.ns.namespace);
    const jsm = await a.nc.jetstreamManager();
    for (const s of [a, b]) {
      const info = await jsm.streams.info(`${s.ns.namespace}_PARLEY_CALLS`);
      expect(info.config.subjects).toContain(`${s.ns.namespace}.calls.v1.call.status-changed`);
      const consumer = await jsm.consumers.info(
        `${s.ns.namespace}_PARLEY_CALLS`,
        `${s.ns.namespace}_${DURABLE}`,
      );
      expect(consumer.config.filter_subject).toBe(`${s.ns.namespace}.calls.v1.call.status-changed`);
    }
  });

  it("answers each side's commands with its own service only (same subject, same queue group)", async () => {
    for (const s of sets) {
      for (let i = 0; i < 6; i++) {
        const reply = await s.bus.request('consent.v1.health.check', {}, { timeoutMs: 5_000 });
        expect(reply.instanceId).toBe(`consent-${s.tag}`);
      }
    }
  });

  it("never reaches the other side's responders", async () => {
    const a = set('A');
    const b = set('B');
    const sub = a.bus.handle('calls.v1.health.check', () =>
      Promise.resolve({
        service: 'call-control',
        instanceId: 'only-in-A',
        version: '1',
        ready: true,
        uptimeSeconds: 1,
        checks: [],
      }),
    );
    try {
      await a.nc.flush();
      await expect(
        a.bus.request('calls.v1.health.check', {}, { timeoutMs: 5_000 }),
      ).resolves.toMatchObject({ instanceId: 'only-in-A' });
      await expect(
        b.bus.request('calls.v1.health.check', {}, { timeoutMs: 5_000 }),
      ).rejects.toMatchObject({ kind: 'no-responders' });
    } finally {
      sub.unsubscribe();
    }
  });

  it('delivers core events only within the namespace they were published in', async () => {
    for (const [own, other] of [
      [set('A'), set('B')],
      [set('B'), set('A')],
    ] as const) {
      own.events.length = 0;
      own.bus.publish('media.v1.dtmf.received', dtmf(`own-${own.tag}`));
      // The other side publishes on the very same logical subject...
      for (let i = 0; i < 5; i++)
        other.bus.publish('media.v1.dtmf.received', dtmf(`foreign-${other.tag}`));
      await other.nc.flush();
      // ...and, after the server has taken those, a sentinel goes out on this side.
      own.bus.publish('media.v1.dtmf.received', dtmf(`sentinel-${own.tag}`));
      await eventually('the sentinel', () =>
        own.events.includes(callOf(`sentinel-${own.tag}`)) ? true : undefined,
      );
      expect(own.events).toEqual([callOf(`own-${own.tag}`), callOf(`sentinel-${own.tag}`)]);
    }
  });

  it('keeps durable events, their de-duplication and the same-named durable consumer apart', async () => {
    const a = set('A');
    const b = set('B');
    // The same de-duplication id on both sides: each stream has its own window.
    const ackA = await a.bus.publishDurable(
      'calls.v1.call.status-changed',
      statusEvent(ACCOUNT.A),
      {
        msgId: 'isolation:0',
      },
    );
    const ackB = await b.bus.publishDurable(
      'calls.v1.call.status-changed',
      statusEvent(ACCOUNT.B),
      {
        msgId: 'isolation:0',
      },
    );
    expect(ackA).toMatchObject({ duplicate: false, stream: `${a.ns.namespace}_PARLEY_CALLS` });
    expect(ackB).toMatchObject({ duplicate: false, stream: `${b.ns.namespace}_PARLEY_CALLS` });
    for (let i = 1; i <= 3; i++) {
      await b.bus.publishDurable('calls.v1.call.status-changed', statusEvent(ACCOUNT.B), {
        msgId: `isolation:${i}`,
      });
    }
    // Sentinels published after everything above was stored: a stream delivers in order.
    await a.bus.publishDurable('calls.v1.call.status-changed', statusEvent(SENTINEL.A), {
      msgId: 'isolation:sentinel',
    });
    await b.bus.publishDurable('calls.v1.call.status-changed', statusEvent(SENTINEL.B), {
      msgId: 'isolation:sentinel',
    });
    await eventually('A sentinel', () => (a.durables.includes(SENTINEL.A) ? true : undefined));
    await eventually('B sentinel', () => (b.durables.includes(SENTINEL.B) ? true : undefined));
    expect(a.durables).toEqual([ACCOUNT.A, SENTINEL.A]);
    expect(b.durables).toEqual([ACCOUNT.B, ACCOUNT.B, ACCOUNT.B, ACCOUNT.B, SENTINEL.B]);
  });
});

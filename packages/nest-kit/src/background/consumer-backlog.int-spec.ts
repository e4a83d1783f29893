import { Injectable, Module } from '@nestjs/common';
import {
  durableConsumers,
  type CallPermissionRepliedV1,
  type NatsBus,
  newSid,
} from '@parley/contracts';
import { connect, type NatsConnection } from 'nats';
import { bootstrap, type RunningService, type ServiceDefinition } from '../bootstrap';
import { baseEnvSchema, type BaseEnv } from '../config/env';
import { createTestDatabase, type TestDatabase } from '../testing/database';
import { createTestNatsNamespace, type TestNatsNamespace } from '../testing/nats-namespace';
import { DurableEventHandler } from './durable-event-handler';

/** Holds every delivery until `release()`: the consumer's messages pile up unacked. */
@Injectable()
class HeldReplies {
  handled = 0;
  private open: () => void = () => undefined;
  private readonly gate = new Promise<void>((resolve) => (this.open = resolve));

  release(): void {
    this.open();
  }

  @DurableEventHandler('consent.permission-replies')
  async onReply(): Promise<void> {
    await this.gate;
    this.handled++;
  }
}

@Module({ providers: [HeldReplies] })
class HeldRepliesModule {}

const definition: ServiceDefinition<BaseEnv> = {
  name: 'consent',
  version: '9.9.9-test',
  envSchema: baseEnvSchema({ httpPort: 0 }),
  database: { schema: 'kit_backlog', entities: [], migrations: [] },
  imports: () => [HeldRepliesModule],
};

function reply(): CallPermissionRepliedV1 {
  return {
    accountSid: newSid('AC'),
    senderSid: newSid('XE'),
    business: 'whatsapp:+14155550100',
    user: 'whatsapp:+14155550101',
    response: 'accept',
    isPermanent: true,
    expiresAt: null,
    responseSource: 'user_action',
    messageId: `wamid.${newSid('SM')}`,
    repliedAt: new Date().toISOString(),
  };
}

/** One series' value from a Prometheus text exposition, or undefined when absent. */
function sample(text: string, metric: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}{`)) continue;
    const labelText = line.slice(metric.length + 1, line.indexOf('}'));
    if (wanted.every((l) => labelText.split(',').includes(l))) {
      return Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return undefined;
}

describe('the JetStream backlog of a durable consumer, on /metrics', () => {
  const PUBLISHED = 100;
  let db: TestDatabase;
  let ns: TestNatsNamespace;
  let service: RunningService<BaseEnv>;
  let nc: NatsConnection;
  let bus: NatsBus;
  const def = durableConsumers['consent.permission-replies'];
  let labels: Record<string, string>;

  async function backlog(): Promise<{ pending?: number; ackPending?: number }> {
    const text = await (await fetch(`${service.url}/metrics`)).text();
    return {
      pending: sample(text, 'parley_jetstream_consumer_pending', labels),
      ackPending: sample(text, 'parley_jetstream_consumer_ack_pending', labels),
    };
  }

  async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + 60_000;
    let last: unknown;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      last = await backlog();
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  beforeAll(async () => {
    db = await createTestDatabase('kit_backlog');
    ns = await createTestNatsNamespace('kit_backlog');
    service = await bootstrap(definition, {
      handleSignals: false,
      env: {
        LOG_LEVEL: 'silent',
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: '0',
        DATABASE_URL: db.url,
        ...ns.env,
      },
    });
    nc = await connect({ servers: ns.url });
    bus = ns.bus(nc, { source: 'kit-backlog-test' });
    labels = {
      service: 'consent',
      stream: bus.jetStreamName(def.stream),
      consumer: bus.jetStreamName(def.durable),
    };
  }, 120_000);

  afterAll(async () => {
    service?.app.get(HeldReplies).release();
    await service?.close();
    await nc?.close();
    await ns?.drop();
    await db?.drop();
  }, 60_000);

  it('reports an idle consumer at zero, under its concrete stream and durable names', async () => {
    expect(labels.stream).not.toBe(def.stream); // the test namespace is part of the name
    await expect(backlog()).resolves.toEqual({ pending: 0, ackPending: 0 });
  });

  it('counts what waits while the handler is held, and drains to zero once it runs', async () => {
    for (let i = 0; i < PUBLISHED; i++) {
      await bus.publishDurable('calls.v1.permission.replied', reply(), { msgId: `r-${i}` });
    }
    // The pull consumer takes a batch (delivered, not acked) and the rest waits in the stream.
    const held = await until('every published reply counted as pending or unacked', async () => {
      const b = await backlog();
      const { pending, ackPending } = b;
      if (pending === undefined || ackPending === undefined) return undefined;
      return pending > 0 && ackPending > 0 && pending + ackPending === PUBLISHED
        ? { pending, ackPending }
        : undefined;
    });
    expect(held.pending + held.ackPending).toBe(PUBLISHED);

    service.app.get(HeldReplies).release();
    await until('the backlog drained', async () => {
      const b = await backlog();
      return b.pending === 0 && b.ackPending === 0 ? b : undefined;
    });
    expect(service.app.get(HeldReplies).handled).toBe(PUBLISHED);
  }, 120_000);
});

import { Controller, Get, Module } from '@nestjs/common';
import { BusRequestError, type CommandReply, ParleyError } from '@parley/contracts';
import { connect } from 'nats';
import request from 'supertest';
import { baseEnvSchema, ConfigError } from './config/env';
import { bootstrap, type ServiceDefinition } from './bootstrap';
import { createTestDatabase, testNatsUrl, type TestDatabase } from './testing/database';
import { createTestNatsNamespace, type TestNatsNamespace } from './testing/nats-namespace';
import { TcpProxy } from './testing/tcp-proxy';
import { currentCorrelationId } from './logging/correlation';
import { CommandHandler } from './nats/decorators';
import { deferred, type Deferred } from './testing/deferred';

@Controller('probe')
class ProbeController {
  @Get('error')
  fail(): never {
    throw new ParleyError(21212, 'The From number is not a WhatsApp sender');
  }

  @Get('crash')
  crash(): never {
    throw new Error('secret internal detail');
  }

  @Get('correlation')
  correlation(): { correlationId: string | undefined } {
    return { correlationId: currentCorrelationId() };
  }
}

/** How long the slow command takes: longer than the fixed second NestJS's transport waits. */
const SLOW_COMMAND_MS = 2_500;

/** A command as slow as an `accept` waiting on Meta, and a record of when it started. */
@Controller()
class SlowCommandController {
  static started: Deferred = deferred();

  @CommandHandler('consent.v1.permission.check')
  async check(): Promise<CommandReply<'consent.v1.permission.check'>> {
    SlowCommandController.started.resolve();
    await new Promise((resolve) => setTimeout(resolve, SLOW_COMMAND_MS));
    return { allowed: true, errorCode: null, reason: 'slow but answered' };
  }
}

@Module({ controllers: [ProbeController, SlowCommandController] })
class ProbeModule {}

const envSchema = baseEnvSchema({ httpPort: 0 });
const definition: ServiceDefinition<ReturnType<typeof envSchema.parse>> = {
  name: 'consent',
  version: '9.9.9-test',
  envSchema,
  database: { schema: 'kit_test', entities: [], migrations: [] },
  imports: () => [ProbeModule],
};

async function eventually(check: () => Promise<void>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

interface Report {
  ready: boolean;
  checks: { name: string; ok: boolean; detail?: string }[];
}

describe('bootstrap(): a service on real PostgreSQL and NATS', () => {
  let db: TestDatabase;
  let nats: TestNatsNamespace;
  let pgProxy: TcpProxy;
  let natsProxy: TcpProxy;
  let service: Awaited<ReturnType<typeof bootstrap>>;

  beforeAll(async () => {
    db = await createTestDatabase('kit');
    nats = await createTestNatsNamespace('kit');
    const pgUrl = new URL(db.url);
    pgProxy = new TcpProxy(pgUrl.hostname, Number(pgUrl.port || 5432));
    const natsUrl = new URL(testNatsUrl());
    natsProxy = new TcpProxy(natsUrl.hostname, Number(natsUrl.port || 4222));
    await pgProxy.start();
    await natsProxy.start();
    pgUrl.host = `127.0.0.1:${pgProxy.port}`;
    service = await bootstrap(definition, {
      handleSignals: false,
      env: {
        LOG_LEVEL: 'silent',
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: '0',
        DATABASE_URL: pgUrl.toString(),
        NATS_URL: `nats://127.0.0.1:${natsProxy.port}`,
        PARLEY_NATS_NAMESPACE: nats.namespace,
      },
    });
  });

  afterAll(async () => {
    await service?.close();
    await pgProxy.stop();
    await natsProxy.stop();
    await nats.drop();
    await db.drop();
  });

  it('answers /healthz and /readyz with every dependency checked', async () => {
    await request(service.url).get('/healthz').expect(200, { status: 'ok' });
    const res = await request(service.url).get('/readyz').expect(200);
    const body = res.body as Report;
    expect(body.ready).toBe(true);
    expect(body.checks.map((c) => c.name).sort()).toEqual(['nats', 'postgres']);
  });

  it('serves Prometheus metrics, including the requests it timed', async () => {
    await request(service.url).get('/healthz').expect(200);
    const res = await request(service.url).get('/metrics').expect(200);
    expect(res.text).toMatch(
      /^parley_http_request_duration_seconds_count\{service="consent",method="GET",route="\/healthz",status="200"\} [1-9]/m,
    );
    expect(res.text).toContain('parley_process_cpu_seconds_total');
  });

  it("answers errors with Twilio's error body and hides internals", async () => {
    const known = await request(service.url).get('/probe/error').expect(400);
    expect(known.body).toEqual({
      code: 21212,
      message: 'The From number is not a WhatsApp sender',
      more_info: 'https://www.twilio.com/docs/errors/21212',
      status: 400,
    });
    const crash = await request(service.url).get('/probe/crash').expect(500);
    expect(crash.body).toMatchObject({ code: 20500, status: 500 });
    expect(JSON.stringify(crash.body)).not.toContain('secret internal detail');
    await request(service.url)
      .get('/no/such/route')
      .expect(404)
      .expect((r) => expect((r.body as Report & { code: number }).code).toBe(20404));
  });

  it("carries the caller's correlation id through the handler and back", async () => {
    const res = await request(service.url)
      .get('/probe/correlation')
      .set('X-Correlation-Id', 'CA0123')
      .expect(200);
    expect(res.body).toEqual({ correlationId: 'CA0123' });
    expect(res.headers['x-correlation-id']).toBe('CA0123');
  });

  it('reports PostgreSQL down as 503 with the reason, and recovers when it returns', async () => {
    await pgProxy.cut();
    const down = await request(service.url).get('/readyz').expect(503);
    const pg = (down.body as Report).checks.find((c) => c.name === 'postgres');
    expect(pg?.ok).toBe(false);
    expect(pg?.detail).toEqual(expect.any(String));
    expect((down.body as Report).checks.find((c) => c.name === 'nats')?.ok).toBe(true);

    await pgProxy.restore();
    await eventually(async () => {
      await request(service.url).get('/readyz').expect(200);
    });
  });

  it('reports NATS down as 503 with the reason, and recovers when it returns', async () => {
    await natsProxy.cut();
    await eventually(async () => {
      const down = await request(service.url).get('/readyz').expect(503);
      expect((down.body as Report).checks.find((c) => c.name === 'nats')?.ok).toBe(false);
    });
    await natsProxy.restore();
    await eventually(async () => {
      await request(service.url).get('/readyz').expect(200);
    });
  });

  it('sends the reply of a command still running when the service stops, then stops', async () => {
    // Its own namespace: the shared service of this file would take part of the commands.
    const ns = await createTestNatsNamespace('kit-slow');
    const own = await bootstrap(definition, {
      handleSignals: false,
      env: {
        LOG_LEVEL: 'silent',
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: '0',
        DATABASE_URL: db.url,
        NATS_URL: testNatsUrl(),
        PARLEY_NATS_NAMESPACE: ns.namespace,
        SHUTDOWN_GRACE_MS: '20000',
      },
    });
    const nc = await connect({ servers: testNatsUrl() });
    const bus = ns.bus(nc, { source: 'test', onError: () => undefined });
    try {
      SlowCommandController.started = deferred();
      const ask = {
        accountSid: `AC${'0'.repeat(32)}`,
        senderSid: `XE${'0'.repeat(32)}`,
        business: 'whatsapp:+14155550100',
        user: 'whatsapp:+14155550101',
      };
      const reply = bus.request('consent.v1.permission.check', ask, { timeoutMs: 15_000 });
      await SlowCommandController.started.promise;
      const closed = own.close();
      // Stopping: the command subject is unsubscribed at once (nothing new comes in)...
      await eventually(async () => {
        await expect(
          bus.request('consent.v1.permission.check', ask, { timeoutMs: 2_000 }),
        ).rejects.toMatchObject({ kind: 'no-responders' } satisfies Partial<BusRequestError>);
      });
      // ...and the command already running still gets its reply out before the close.
      await expect(reply).resolves.toEqual({
        allowed: true,
        errorCode: null,
        reason: 'slow but answered',
      });
      await closed;
    } finally {
      await nc.drain();
      await ns.drop();
    }
  });

  it('refuses to start with a bad environment, naming the variable', async () => {
    await expect(
      bootstrap(definition, { handleSignals: false, env: { HTTP_PORT: 'eighty' } }),
    ).rejects.toThrow(ConfigError);
    await expect(
      bootstrap(definition, { handleSignals: false, env: { HTTP_PORT: 'eighty' } }),
    ).rejects.toThrow(/HTTP_PORT/);
  });
});

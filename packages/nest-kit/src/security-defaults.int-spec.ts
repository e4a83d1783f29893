import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Module } from '@nestjs/common';
import { connect } from 'nats';
import request from 'supertest';
import { bootstrap, type ServiceDefinition } from './bootstrap';
import { baseEnvSchema } from './config/env';
import { natsConnectionOptions } from './nats/nats.providers';
import { createTestDatabase, testNatsUrl, type TestDatabase } from './testing/database';
import { createTestNatsNamespace, type TestNatsNamespace } from './testing/nats-namespace';

@Module({})
class EmptyModule {}

const envSchema = baseEnvSchema({ httpPort: 0 });
const definition: ServiceDefinition<ReturnType<typeof envSchema.parse>> = {
  name: 'consent',
  version: '9.9.9-test',
  envSchema,
  database: { schema: 'kit_sec_test', entities: [], migrations: [] },
  imports: () => [EmptyModule],
};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function until<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 15_000;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${String(last)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('/metrics and /statusz on an internal port (INTERNAL_HTTP_PORT)', () => {
  let db: TestDatabase;
  let nats: TestNatsNamespace;
  let service: Awaited<ReturnType<typeof bootstrap>>;

  beforeAll(async () => {
    db = await createTestDatabase('kitsec');
    nats = await createTestNatsNamespace('kitsec');
    service = await bootstrap(definition, {
      handleSignals: false,
      env: {
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: '0',
        INTERNAL_HTTP_PORT: '0',
        DATABASE_URL: db.url,
        NATS_URL: testNatsUrl(),
        PARLEY_NATS_NAMESPACE: nats.namespace,
      },
    });
  });

  afterAll(async () => {
    await service?.close();
    await nats?.drop();
    await db?.drop();
  });

  it('serves them on the internal port only; the public port answers 404', async () => {
    expect(service.internalUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const internal = service.internalUrl ?? '';
    const metrics = await request(internal).get('/metrics').expect(200);
    expect(metrics.text).toContain('parley_process_cpu_seconds_total');
    const statusz = await request(internal).get('/statusz').expect(200);
    expect(statusz.body).toHaveProperty('self.ready');
    await request(service.url).get('/metrics').expect(404);
    await request(service.url).get('/statusz').expect(404);
    await request(service.url).get('/metrics/').expect(404);
    // Probes stay on the public port (orchestrators reach it).
    await request(service.url).get('/healthz').expect(200);
    await request(internal).get('/healthz').expect(404);
  });
});

describe('NATS credentials from the environment', () => {
  let server: ChildProcess | undefined;
  let url: string;

  beforeAll(async () => {
    // nats-server is the same binary the test NATS runs on (see `./dev test`).
    const port = await freePort();
    server = spawn(
      'nats-server',
      ['-a', '127.0.0.1', '-p', String(port), '--user', 'parley', '--pass', 'right-password'],
      { stdio: 'ignore' },
    );
    url = `nats://127.0.0.1:${port}`;
    const base = envSchema.parse({
      NATS_URL: url,
      NATS_USER: 'parley',
      NATS_PASSWORD: 'right-password',
    });
    await until(async () => {
      const nc = await connect({
        ...natsConnectionOptions(base, 'probe'),
        maxReconnectAttempts: 0,
      });
      await nc.close();
      return true;
    }, 'the authenticated NATS to start');
  });

  afterAll(() => {
    server?.kill('SIGTERM');
  });

  const attempt = async (vars: Record<string, string>) => {
    const env = envSchema.parse({ NATS_URL: url, ...vars });
    try {
      const nc = await connect({
        ...natsConnectionOptions(env, 'probe'),
        maxReconnectAttempts: 0,
        reconnect: false,
      });
      await nc.close();
      return 'connected';
    } catch (error) {
      return String((error as { code?: unknown }).code ?? error);
    }
  };

  it('connects with NATS_USER and NATS_PASSWORD, and is refused without or with wrong ones', async () => {
    expect(await attempt({ NATS_USER: 'parley', NATS_PASSWORD: 'right-password' })).toBe(
      'connected',
    );
    expect(await attempt({})).toBe('AUTHORIZATION_VIOLATION');
    expect(await attempt({ NATS_USER: 'parley', NATS_PASSWORD: 'wrong-password' })).toBe(
      'AUTHORIZATION_VIOLATION',
    );
  });
});

import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ParleyError } from '@parley/contracts';
import { postgresOptions, runMigrations } from '@parley/nest-kit';
import {
  createTestDatabase,
  createTestNatsNamespace,
  type TestDatabase,
  type TestNatsNamespace,
} from '@parley/nest-kit/testing';
import { RtpengineProcess } from './edge/rtpengine/rtpengine-process';
import { service } from './service';
import { eventually, MediaHarness } from './testing/media-harness';
import { businessCallsUser, userCallsIn } from './testing/whatsapp-user';

async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise<void>((r) => s.close(r));
  return port;
}

interface Built {
  child: ChildProcess;
  logs: Record<string, unknown>[];
  exit: Promise<{ code: number | null; stderr: string }>;
}

/** The built service, as `./dev start` runs it, with its JSON log lines collected. */
function runBuilt(env: Record<string, string>): Built {
  const child = spawn(process.execPath, [join(__dirname, '..', 'dist', 'main.js')], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      logs.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // not JSON: ignore
    }
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exit = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, stderr })),
  );
  return { child, logs, exit };
}

describe('media process', () => {
  it('refuses a bad edge configuration with exit code 78, naming the variables', async () => {
    const { exit } = runBuilt({
      MEDIASOUP_WORKER_BIN: process.env.MEDIASOUP_WORKER_BIN ?? '',
      RTPENGINE_BIN: '/nonexistent/rtpengine',
      RTPENGINE_INTERFACE: 'not-an-ip',
      RECORDINGS_STORAGE: 's3',
      RECORDINGS_S3_SECRET_ACCESS_KEY: 'hunter2',
    });
    const { code, stderr } = await exit;
    expect(code).toBe(78);
    expect(stderr).toContain('media: invalid configuration');
    expect(stderr).toMatch(/RTPENGINE_INTERFACE: must be an IPv4 or IPv6 address/);
    expect(stderr).toMatch(/RTPENGINE_BIN: no rtpengine binary here/);
    expect(stderr).toMatch(/RECORDINGS_STORAGE: s3 needs/);
    expect(stderr).not.toContain('hunter2');
  });

  describe('supervision of its children', () => {
    let db: TestDatabase;
    let nats: TestNatsNamespace;

    beforeAll(async () => {
      db = await createTestDatabase('media_proc');
      nats = await createTestNatsNamespace('media_proc');
      await runMigrations(
        postgresOptions({ url: db.url, applicationName: 'media-test', database: service.database }),
      );
    });

    afterAll(async () => {
      await nats?.drop();
      await db?.drop();
    });

    it.each([
      ['rtpengine', 'rtpengine started'],
      ['a mediasoup worker', 'mediasoup worker started'],
    ])('exits with code 1 when %s dies, so the orchestrator restarts it', async (_what, line) => {
      const built = runBuilt({
        MEDIASOUP_WORKER_BIN: process.env.MEDIASOUP_WORKER_BIN ?? '',
        MEDIASOUP_NUM_WORKERS: '1',
        MEDIASOUP_RTC_MIN_PORT: '43000',
        MEDIASOUP_RTC_MAX_PORT: '43099',
        RTPENGINE_PORT_MIN: '32000',
        RTPENGINE_PORT_MAX: '32099',
        DATABASE_URL: db.url,
        ...nats.env,
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: '0',
        LOG_LEVEL: 'info',
      });
      const ready = await eventually(
        'the service to be ready',
        () => built.logs.find((l) => l.msg === 'media ready'),
        30_000,
      );
      expect(ready).toBeDefined();
      const started = built.logs.find((l) => l.msg === line);
      const pid = started?.pid;
      expect(typeof pid).toBe('number');
      process.kill(pid as number, 'SIGKILL');
      const { code } = await built.exit;
      expect(code).toBe(1);
      expect(built.logs.some((l) => l.level === 'fatal')).toBe(true);
    });
  });
});

describe('graceful shutdown', () => {
  let media: MediaHarness;

  beforeAll(async () => {
    media = await MediaHarness.start({
      label: 'media_drain',
      env: { SHUTDOWN_GRACE_MS: '20000' },
      rtpenginePorts: [32100, 32199],
      mediasoupPorts: [43100, 43199],
    });
  });

  afterAll(async () => {
    await media?.stop();
  });

  it('refuses new legs but serves the ones it has until they end', async () => {
    const user = await userCallsIn(media);
    const closing = media.closeService();
    await eventually('draining', async () =>
      (await media.http('/readyz')).includes('draining') ? true : undefined,
    );
    const refused = await media
      .request('media.v1.leg.offer', {
        callSid: MediaHarness.callSid(),
        accountSid: `AC${'0'.repeat(32)}`,
      })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ParleyError);
    expect(refused).toMatchObject({ code: 20503 });
    // The existing call still gets its prompts.
    await media.request('media.v1.play.start', {
      callSid: user.callSid,
      playId: 'bye',
      source: { kind: 'silence', durationMs: 200 },
    });
    await media.waitForEvent('media.v1.play.finished', (e) => e.playId === 'bye');
    expect(await media.request('media.v1.leg.close', { callSid: user.callSid })).toEqual({
      closed: true,
    });
    await user.peer.close();
    // With its last leg gone, the instance stops without waiting out the grace period.
    await closing;
  });
});

describe('an external rtpengine (RTPENGINE_NG_ADDRESS)', () => {
  let rtpengine: RtpengineProcess;
  let media: MediaHarness;

  beforeAll(async () => {
    const ngPort = await freeUdpPort();
    rtpengine = new RtpengineProcess(
      {
        bin: '/usr/bin/rtpengine',
        ngHost: '127.0.0.1',
        ngPort,
        interfaces: [
          { name: 'whatsapp', address: '127.0.0.1' },
          { name: 'internal', address: '127.0.0.1' },
        ],
        portMin: 32200,
        portMax: 32299,
        logLevel: 3,
        mediaTimeoutSec: 60,
      },
      { log: () => undefined, onExit: () => undefined },
    );
    await rtpengine.start();
    media = await MediaHarness.start({
      label: 'media_ext',
      env: { RTPENGINE_NG_ADDRESS: `127.0.0.1:${ngPort}` },
      mediasoupPorts: [43200, 43299],
    });
  });

  afterAll(async () => {
    await media?.stop();
    await rtpengine?.stop();
  });

  it('carries calls through it and reports it in /readyz', async () => {
    expect(await media.http('/readyz')).toMatch(/external, \d+ sessions/);
    const user = await businessCallsUser(media);
    expect(user.peer.stats().connected).toBe(true);
    await media.request('media.v1.leg.close', { callSid: user.callSid });
    await user.peer.close();
  });
});

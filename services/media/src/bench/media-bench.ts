/**
 * WhatsApp-to-WhatsApp media benchmark: prints numbers, asserts nothing.
 *
 *   pnpm --filter @parley/media bench        (after a build; ./dev bench runs it too)
 *
 * Starts the built media service as its own process (with its spawned rtpengine and
 * mediasoup workers), then for each N: N bridged calls, each between two simulated
 * WhatsApp users sending audio; after a warm-up it measures, at every receiving user,
 * packet loss and RFC 3550 interarrival jitter (everything between the two users: two
 * rtpengine hops, two mediasoup routers, the Node bridge), and the CPU of each process
 * from /proc.
 *
 * Users (MEDIA_BENCH_USERS):
 *   lite    (default) a second rtpengine plays WhatsApp (ICE-lite, DTLS server, SRTP in C)
 *           and this process exchanges plain RTP with it: cheap, so Parley is what limits;
 *   werift  SimulatedMediaPeer, the simulator's full WebRTC user (Opus encode/decode,
 *           DTLS/SRTP in JavaScript, in this process): about 8 % of a core per call.
 *
 * Environment: MEDIA_BENCH_STEPS (lite: 10,25,50,100,150,200,300; werift: 2,5,10),
 * MEDIA_BENCH_MEASURE_MS (5000), MEDIA_BENCH_WARMUP_MS (2000), plus NATS_URL,
 * MEDIASOUP_WORKER_BIN and PARLEY_TEST_ADMIN_DATABASE_URL as for the integration tests.
 */
import { availableParallelism } from 'node:os';
import { newSid, type CallSid } from '@parley/contracts';
import { SimulatedMediaPeer } from '@parley/meta-sim';
import { postgresOptions, runMigrations } from '@parley/nest-kit';
import { createTestDatabase, createTestNatsNamespace } from '@parley/nest-kit/testing';
import { connect } from 'nats';
import { generateTone, OpusEncoder } from '../audio';
import { MediaClock } from '../legs/media-clock';
import { service } from '../service';
import { LiteUserEngine, type LiteUser } from './lite-users';
import { cpuSeconds, env, freeUdpPort, inBatches, startMedia, waitFor } from './bench-process';
import { RtpProbe } from './rtp-probe';

const ACCOUNT = `AC${'0'.repeat(32)}`;
const LOSS_LIMIT_PERCENT = 1;
const JITTER_LIMIT_MS = 20;
/** The load generator is "saturated" above this share of one core. */
const GENERATOR_SATURATION = 0.9;

/** One simulated WhatsApp user in a call. */
interface BenchUser {
  callSid: CallSid;
  probe: RtpProbe;
  close(): Promise<void>;
}

/** werift's DTLS transport of a simulated user, to time every packet it receives. */
interface WeriftInternals {
  pc: {
    getTransceivers(): {
      dtlsTransport: {
        onRtp: {
          subscribe(
            cb: (p: {
              header: { payloadType: number; sequenceNumber: number; timestamp: number };
            }) => void,
          ): { unSubscribe(): void };
        };
      };
    }[];
  };
}

async function main(): Promise<void> {
  const kind = env('MEDIA_BENCH_USERS', 'lite');
  if (kind !== 'lite' && kind !== 'werift') throw new Error('MEDIA_BENCH_USERS is lite or werift');
  const steps = env('MEDIA_BENCH_STEPS', kind === 'lite' ? '10,25,50,100,150,200,300' : '2,5,10')
    .split(',')
    .map(Number);
  const measureMs = Number(env('MEDIA_BENCH_MEASURE_MS', '5000'));
  const warmupMs = Number(env('MEDIA_BENCH_WARMUP_MS', '2000'));
  const db = await createTestDatabase('media_bench');
  // Its own NATS namespace: a running `./dev start` on the same NATS is not disturbed.
  const nats = await createTestNatsNamespace('media_bench');
  await runMigrations(
    postgresOptions({ url: db.url, applicationName: 'media-bench', database: service.database }),
  );
  const media = startMedia({
    DATABASE_URL: db.url,
    ...nats.env,
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: '0',
    INSTANCE_ID: `media-bench-${process.pid}`,
    RTPENGINE_PORT_MIN: '34000',
    RTPENGINE_PORT_MAX: '35999',
    MEDIASOUP_RTC_MIN_PORT: '44000',
    MEDIASOUP_RTC_MAX_PORT: '45999',
    LEG_CONNECT_TIMEOUT_MS: '60000',
  });
  // A simulated user's failure surfaces from a timer: clean up, then fail.
  process.once('uncaughtException', (error) => {
    console.error(error);
    media.child.kill('SIGTERM');
    void Promise.allSettled([db.drop(), nats.drop()]).finally(() => process.exit(1));
  });
  const nc = await connect({ servers: nats.url, name: 'media-bench' });
  const bus = nats.bus(nc, { source: 'media-bench' });
  const users: BenchUser[] = [];
  let engine: LiteUserEngine | null = null;
  const senders = new Set<LiteUser>();
  const clock = new MediaClock();
  let stopClock: (() => void) | null = null;
  try {
    await waitFor('media to start', () => media.logs.find((l) => l.msg === 'media ready'), 30_000);
    const mediaPids = {
      node: [media.child.pid ?? 0],
      workers: media.logs
        .filter((l) => l.msg === 'mediasoup worker started')
        .map((l) => l.pid as number),
      rtpengine: media.logs
        .filter((l) => l.msg === 'rtpengine started')
        .map((l) => l.pid as number),
    };
    let opus: Buffer | null = null;
    if (kind === 'lite') {
      engine = await LiteUserEngine.start({
        ngPort: await freeUdpPort(),
        portMin: 36000,
        portMax: 39999,
      });
      const encoder = new OpusEncoder();
      opus = encoder.encode(generateTone(440, 20));
      encoder.delete();
      stopClock = clock.subscribe((tick) => senders.forEach((u) => u.sendFrame(tick)));
    }
    const generatorPids = engine?.pid ? [engine.pid] : [];
    console.log(
      `media bench: ${availableParallelism()} cores, ${mediaPids.workers.length} mediasoup workers, ` +
        `${kind} users, measure ${measureMs} ms after ${warmupMs} ms warm-up`,
    );
    console.log(
      [
        'calls'.padStart(5),
        'loss %'.padStart(7),
        'jitter ms mean/max'.padStart(19),
        'node %'.padStart(7),
        'workers %'.padStart(9),
        'rtpengine %'.padStart(11),
        'media/call %'.padStart(12),
        'generator %'.padStart(11),
      ].join(' '),
    );

    const answer = async (callSid: CallSid, offer: string): Promise<string> =>
      (
        await bus.request(
          'media.v1.leg.answer',
          { callSid, accountSid: ACCOUNT, sdpOffer: offer },
          { timeoutMs: 20_000 },
        )
      ).sdpAnswer;

    const newUser = async (tone: number): Promise<BenchUser> => {
      const callSid = newSid('CA');
      if (engine && opus) {
        const lite = await engine.user(`bench-${callSid}`, opus);
        await lite.applyAnswer(await answer(callSid, await lite.offer()));
        senders.add(lite);
        const user: BenchUser = {
          callSid,
          probe: lite.probe,
          close: async () => {
            senders.delete(lite);
            await lite.close();
          },
        };
        users.push(user);
        return user;
      }
      const peer = await SimulatedMediaPeer.create({ address: '127.0.0.1', maxRecordedMs: 1_000 });
      await peer.applyAnswer(await answer(callSid, await peer.createOffer()));
      await peer.waitForMedia(60_000);
      peer.startTone(tone);
      const probe = new RtpProbe();
      const transceiver = (peer as unknown as WeriftInternals).pc.getTransceivers()[0];
      const sub = transceiver?.dtlsTransport.onRtp.subscribe((p) => {
        if (p.header.payloadType === 111) {
          probe.onPacket(p.header.sequenceNumber, p.header.timestamp, performance.now());
        }
      });
      const user: BenchUser = {
        callSid,
        probe,
        close: async () => {
          sub?.unSubscribe();
          await peer.close();
        },
      };
      users.push(user);
      return user;
    };

    let best: number | null = null;
    let limitedBy = '';
    for (const calls of steps) {
      await inBatches(
        Array.from({ length: calls }, (_, i) => i),
        kind === 'lite' ? 16 : 4,
        async (i) => {
          const [a, b] = await Promise.all([
            newUser(440 + (i % 5) * 10),
            newUser(880 + (i % 5) * 10),
          ]);
          await bus.request(
            'media.v1.bridge.create',
            { callSid: a.callSid, otherCallSid: b.callSid },
            { timeoutMs: 5_000 },
          );
        },
      );
      // Every leg connected (its first packet arrived) before measuring.
      await waitFor(
        'every user to hear the other',
        () => (users.every((u) => u.probe.counts.received > 0) ? true : undefined),
        60_000,
      );
      await new Promise((r) => setTimeout(r, warmupMs));
      for (const u of users) u.probe.reset();
      const before = {
        node: cpuSeconds(mediaPids.node),
        workers: cpuSeconds(mediaPids.workers),
        rtpengine: cpuSeconds(mediaPids.rtpengine),
        generator: cpuSeconds(generatorPids),
        self: process.cpuUsage(),
      };
      const t0 = performance.now();
      await new Promise((r) => setTimeout(r, measureMs));
      const wallS = (performance.now() - t0) / 1000;
      const pct = (seconds: number) => (100 * seconds) / wallS;
      const node = pct(cpuSeconds(mediaPids.node) - before.node);
      const workers = pct(cpuSeconds(mediaPids.workers) - before.workers);
      const rtpengine = pct(cpuSeconds(mediaPids.rtpengine) - before.rtpengine);
      const self = process.cpuUsage(before.self);
      const benchNode = pct((self.user + self.system) / 1e6);
      const generator = benchNode + pct(cpuSeconds(generatorPids) - before.generator);
      let expected = 0;
      let received = 0;
      const jitters: number[] = [];
      for (const u of users) {
        expected += u.probe.counts.expected;
        received += u.probe.counts.received;
        jitters.push(u.probe.jitterMs);
      }
      const loss = expected > 0 ? (100 * (expected - received)) / expected : 100;
      const meanJitter = jitters.reduce((a, b) => a + b, 0) / Math.max(1, jitters.length);
      const maxJitter = Math.max(...jitters);
      console.log(
        [
          String(calls).padStart(5),
          loss.toFixed(2).padStart(7),
          `${meanJitter.toFixed(2)} / ${maxJitter.toFixed(2)}`.padStart(19),
          node.toFixed(1).padStart(7),
          workers.toFixed(1).padStart(9),
          rtpengine.toFixed(1).padStart(11),
          ((node + workers + rtpengine) / calls).toFixed(2).padStart(12),
          generator.toFixed(1).padStart(11),
        ].join(' '),
      );
      await inBatches(users.splice(0), 32, async (u) => {
        await bus.request('media.v1.leg.close', { callSid: u.callSid }, { timeoutMs: 5_000 });
        await u.close();
      });
      if (loss >= LOSS_LIMIT_PERCENT || maxJitter >= JITTER_LIMIT_MS) {
        limitedBy = `loss ${loss.toFixed(2)} % / max jitter ${maxJitter.toFixed(1)} ms at ${calls} calls`;
        break;
      }
      best = calls;
      if (benchNode >= GENERATOR_SATURATION * 100) {
        limitedBy = `the load generator (this process at ${benchNode.toFixed(0)} % of a core) at ${calls} calls`;
        break;
      }
    }
    console.log(
      `max calls with loss < ${LOSS_LIMIT_PERCENT} % and jitter < ${JITTER_LIMIT_MS} ms: ${best ?? 'none'}` +
        (limitedBy ? `; stopped by ${limitedBy}` : '; every step passed'),
    );
  } finally {
    // The service first: it must not outlive the bench whatever happens below.
    const exited = new Promise((r) => media.child.once('exit', r));
    media.child.kill('SIGTERM');
    stopClock?.();
    for (const u of users) await u.close().catch(() => undefined);
    await exited;
    await engine?.stop();
    await nc.drain().catch(() => undefined);
    await nats.drop();
    await db.drop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);

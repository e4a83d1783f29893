/**
 * Media's share of a user-initiated call's set-up: `media.v1.leg.answer` (Meta's offer in,
 * the answer for `pre_accept` out) at a steady rate of new calls. Prints numbers, asserts
 * nothing.
 *
 *   pnpm --filter @parley/media bench        (after a build; ./dev bench runs it too)
 *
 * Starts the built media service as its own process; a second rtpengine plays the WhatsApp
 * users (their offers are made before each step, so the load generator only sends requests
 * while it is measured). For each rate it sends rate x seconds answer requests, evenly
 * spaced, and prints the round trip's p50/p99/max as call-control sees it (NATS both ways
 * included), the mean of each step media records in `parley_call_setup_step_seconds`, and
 * the CPU of media's processes and of the load generator, apart.
 *
 * MEDIA_SETUP_BENCH_BASELINE=<another build's services/media/dist/main.js> measures that
 * build too, in the same run (one service at a time, started afresh for each rate, the
 * order alternating from rate to rate; same database, NATS and generator),
 * and prints this build's p50 and p99 as a ratio of the baseline's: the figure to compare
 * on a shared machine, where absolute times move with the other work on it.
 *
 * Environment: MEDIA_SETUP_BENCH_RATES (10,50,100), MEDIA_SETUP_BENCH_SECONDS (3), plus
 * NATS_URL, MEDIASOUP_WORKER_BIN and PARLEY_TEST_ADMIN_DATABASE_URL as for the
 * integration tests.
 */
import { availableParallelism, loadavg } from 'node:os';
import { newSid, type CallSid } from '@parley/contracts';
import { CALL_SETUP_STEP_METRIC, postgresOptions, runMigrations } from '@parley/nest-kit';
import { createTestDatabase, createTestNatsNamespace } from '@parley/nest-kit/testing';
import { connect } from 'nats';
import { service } from '../service';
import { cpuSeconds, env, freeUdpPort, inBatches, startMedia, waitFor } from './bench-process';
import { LiteUserEngine, type LiteUser } from './lite-users';

const ACCOUNT = `AC${'0'.repeat(32)}`;
const STEP_LINE = new RegExp(
  `^${CALL_SETUP_STEP_METRIC}_(sum|count)\\{.*step="([^"]+)".*\\} (\\S+)$`,
);

interface StepFigures {
  rate: number;
  calls: number;
  errors: number;
  p50: number;
  p99: number;
  max: number;
  mediaCpu: number;
  generatorCpu: number;
  /** Mean milliseconds of each step media recorded (empty for a build without them). */
  steps: Record<string, number>;
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/** Sum and count of each step of `parley_call_setup_step_seconds` at `url`/metrics. */
async function scrapeSteps(url: string): Promise<Map<string, { sum: number; count: number }>> {
  const out = new Map<string, { sum: number; count: number }>();
  const text = await fetch(`${url}/metrics`)
    .then((r) => (r.ok ? r.text() : ''))
    .catch(() => '');
  for (const line of text.split('\n')) {
    const m = STEP_LINE.exec(line);
    if (!m || !m[1] || !m[2] || !m[3]) continue;
    const entry = out.get(m[2]) ?? { sum: 0, count: 0 };
    entry[m[1] as 'sum' | 'count'] = Number(m[3]);
    out.set(m[2], entry);
  }
  return out;
}

async function sleepUntil(at: number): Promise<void> {
  const ms = at - performance.now();
  if (ms > 0) await new Promise((r) => setTimeout(r, ms));
}

async function main(): Promise<void> {
  const rates = env('MEDIA_SETUP_BENCH_RATES', '10,50,100').split(',').map(Number);
  const seconds = Number(env('MEDIA_SETUP_BENCH_SECONDS', '3'));
  const baseline = process.env.MEDIA_SETUP_BENCH_BASELINE;
  const builds: { name: string; main?: string }[] = [
    { name: 'this build' },
    ...(baseline ? [{ name: 'baseline', main: baseline }] : []),
  ];
  const db = await createTestDatabase('media_setup_bench');
  const nats = await createTestNatsNamespace('media_setup_bench');
  await runMigrations(
    postgresOptions({ url: db.url, applicationName: 'media-bench', database: service.database }),
  );
  const nc = await connect({ servers: nats.url, name: 'media-setup-bench' });
  const bus = nats.bus(nc, { source: 'media-setup-bench' });
  const engine = await LiteUserEngine.start({
    ngPort: await freeUdpPort(),
    portMin: 36000,
    portMax: 39999,
  });
  const results = new Map<string, StepFigures[]>();
  console.log(
    `media set-up bench: ${availableParallelism()} cores, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (other work on the machine counts), ${seconds} s per rate`,
  );
  try {
    // Each rate is measured with each build in turn, the order alternating from one rate to
    // the next (A B, B A, ...), so a change in the machine's other load favours neither.
    for (const [index, rate] of rates.entries()) {
      const order = index % 2 === 0 ? builds : [...builds].reverse();
      for (const build of order) {
        const rows = results.get(build.name) ?? [];
        results.set(build.name, rows);
        rows.push(await measure(build, rate));
      }
    }
    for (const build of builds) print(build.name, results.get(build.name) ?? []);

    async function measure(
      build: { name: string; main?: string },
      rate: number,
    ): Promise<StepFigures> {
      const media = startMedia(
        {
          DATABASE_URL: db.url,
          ...nats.env,
          HTTP_HOST: '127.0.0.1',
          HTTP_PORT: '0',
          INSTANCE_ID: `media-setup-bench-${process.pid}`,
          RTPENGINE_PORT_MIN: '34000',
          RTPENGINE_PORT_MAX: '35999',
          MEDIASOUP_RTC_MIN_PORT: '44000',
          MEDIASOUP_RTC_MAX_PORT: '45999',
          LEG_CONNECT_TIMEOUT_MS: '60000',
        },
        build.main,
      );
      try {
        const ready = await waitFor(
          'media to start',
          () => media.logs.find((l) => l.msg === 'media ready'),
          30_000,
        );
        const url = String(ready.url);
        const mediaPids = [
          media.child.pid ?? 0,
          ...media.logs
            .filter((l) => l.msg === 'mediasoup worker started' || l.msg === 'rtpengine started')
            .map((l) => l.pid as number),
        ];
        return await runRate(rate);

        // One rate: offers made first (not measured), then evenly spaced answers.
        async function runRate(rate: number): Promise<StepFigures> {
          const calls = Math.max(1, Math.round(rate * seconds));
          const made = await inBatches(
            Array.from({ length: calls }, () => newSid('CA')),
            16,
            async (callSid): Promise<{ callSid: CallSid; user: LiteUser; offer: string }> => {
              const user = await engine.user(`setup-${callSid}`, Buffer.alloc(10));
              return { callSid, user, offer: await user.offer() };
            },
          );
          const stepsBefore = await scrapeSteps(url);
          const cpuBefore = {
            media: cpuSeconds(mediaPids),
            generator: cpuSeconds(engine.pid ? [engine.pid] : []),
            self: process.cpuUsage(),
          };
          const latencies: number[] = [];
          let errors = 0;
          const t0 = performance.now();
          const pending: Promise<void>[] = [];
          for (let i = 0; i < made.length; i++) {
            await sleepUntil(t0 + (i * 1000) / rate);
            const { callSid, offer } = made[i] as (typeof made)[number];
            const sent = performance.now();
            pending.push(
              bus
                .request(
                  'media.v1.leg.answer',
                  { callSid, accountSid: ACCOUNT, sdpOffer: offer },
                  { timeoutMs: 20_000 },
                )
                .then(
                  () => void latencies.push(performance.now() - sent),
                  () => void errors++,
                ),
            );
          }
          await Promise.all(pending);
          const wallS = (performance.now() - t0) / 1000;
          const self = process.cpuUsage(cpuBefore.self);
          const pct = (s: number) => (100 * s) / wallS;
          const stepsAfter = await scrapeSteps(url);
          const steps: Record<string, number> = {};
          for (const [step, after] of stepsAfter) {
            const before = stepsBefore.get(step) ?? { sum: 0, count: 0 };
            const n = after.count - before.count;
            if (n > 0) steps[step] = (1000 * (after.sum - before.sum)) / n;
          }
          await inBatches(made, 32, async ({ callSid, user }) => {
            await bus
              .request('media.v1.leg.close', { callSid }, { timeoutMs: 10_000 })
              .catch(() => undefined);
            await user.close();
          });
          latencies.sort((a, b) => a - b);
          return {
            rate,
            calls,
            errors,
            p50: percentile(latencies, 50),
            p99: percentile(latencies, 99),
            max: latencies[latencies.length - 1] ?? NaN,
            mediaCpu: pct(cpuSeconds(mediaPids) - cpuBefore.media),
            generatorCpu:
              pct((self.user + self.system) / 1e6) +
              pct(cpuSeconds(engine.pid ? [engine.pid] : []) - cpuBefore.generator),
            steps,
          };
        }
      } finally {
        const exited = new Promise((r) => media.child.once('exit', r));
        media.child.kill('SIGTERM');
        await exited;
      }
    }
    const ours = results.get('this build');
    const base = results.get('baseline');
    if (ours && base) {
      console.log('this build / baseline, same run:');
      for (const row of ours) {
        const b = base.find((r) => r.rate === row.rate);
        if (!b) continue;
        console.log(
          `  ${String(row.rate).padStart(4)}/s  p50 ${(row.p50 / b.p50).toFixed(2)}  p99 ${(row.p99 / b.p99).toFixed(2)}`,
        );
      }
    }
  } finally {
    await engine.stop();
    await nc.drain().catch(() => undefined);
    await nats.drop();
    await db.drop();
  }
}

function print(name: string, rows: StepFigures[]): void {
  console.log(`${name}: media.v1.leg.answer round trip`);
  console.log(
    [
      'calls/s'.padStart(7),
      'calls'.padStart(5),
      'errors'.padStart(6),
      'p50 ms'.padStart(7),
      'p99 ms'.padStart(7),
      'max ms'.padStart(7),
      'media %'.padStart(8),
      'generator %'.padStart(11),
      '  mean ms per step (media)',
    ].join(' '),
  );
  for (const r of rows) {
    const steps = Object.entries(r.steps)
      .map(([step, ms]) => `${step.replace(/^media\./, '')} ${ms.toFixed(1)}`)
      .join(', ');
    console.log(
      [
        String(r.rate).padStart(7),
        String(r.calls).padStart(5),
        String(r.errors).padStart(6),
        r.p50.toFixed(1).padStart(7),
        r.p99.toFixed(1).padStart(7),
        r.max.toFixed(1).padStart(7),
        r.mediaCpu.toFixed(1).padStart(8),
        r.generatorCpu.toFixed(1).padStart(11),
        `  ${steps || '(not recorded by this build)'}`,
      ].join(' '),
    );
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);

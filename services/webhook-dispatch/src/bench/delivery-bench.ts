/**
 * Callback delivery benchmark: prints numbers, asserts nothing.
 *
 *   ./dev bench     (or, with NATS_URL and PARLEY_TEST_ADMIN_DATABASE_URL set:
 *                    node services/webhook-dispatch/dist/bench/delivery-bench.js)
 *
 * One dispatcher (production settings) on a real PostgreSQL and NATS/JetStream, events
 * published as call-control publishes them, a receiver in its own thread that answers 200
 * and notes when each callback arrived. Every 20th event goes to a dead endpoint
 * (connection refused), so the numbers hold while a dead host is being retried.
 *
 * - burst: N events published at once; sustained deliveries per second, first publish to
 *   last arrival;
 * - paced: a steady rate for a while; latency from publish to arrival, p50/p99/max.
 */
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { CallEvents, newSid, startDispatcher } from '../testing/harness';

const now = (): number => performance.timeOrigin + performance.now();

/** The receiver thread: answers 200 and posts [CallSid, arrival] pairs in batches. */
const RECEIVER = `
const { parentPort } = require('node:worker_threads');
const { createServer } = require('node:http');
const { performance } = require('node:perf_hooks');
let batch = [];
setInterval(() => { if (batch.length) { parentPort.postMessage(batch); batch = []; } }, 20);
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const callSid = new URLSearchParams(Buffer.concat(chunks).toString()).get('CallSid');
    batch.push([callSid, performance.timeOrigin + performance.now()]);
    res.writeHead(200).end();
  });
});
server.keepAliveTimeout = 5000;
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
`;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

function line(label: string, value: string): void {
  console.log(`${label.padEnd(56)} ${value}`);
}

async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function until(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}

async function main(): Promise<void> {
  const arrivals = new Map<string, number>();
  const receiver = new Worker(RECEIVER, { eval: true });
  const port = await new Promise<number>((resolve) => {
    receiver.on('message', (message: { port: number } | [string, number][]) => {
      if (Array.isArray(message)) {
        for (const [callSid, at] of message) if (!arrivals.has(callSid)) arrivals.set(callSid, at);
      } else {
        resolve(message.port);
      }
    });
  });
  const dead = `http://127.0.0.2:${await deadPort()}/gone`;
  const live = `http://127.0.0.1:${port}/status`;

  // Production settings, but for the allow-list that lets it reach the local receivers.
  const d = await startDispatcher('bench', {
    DELIVERY_POLL_MS: '500',
    DELIVERY_BACKOFF_BASE_MS: '2000',
    DELIVERY_BACKOFF_MAX_MS: '600000',
    DELIVERY_MAX_ATTEMPTS: '8',
    DELIVERY_CIRCUIT_FAILURES: '5',
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: '127.0.0.0/8',
    LOG_LEVEL: 'error',
  });
  const accountSid = newSid('AC');
  d.authTokens.set(accountSid, 'b'.repeat(32));

  const published = new Map<string, number>();
  let deadSent = 0;
  /** Publishes `count` completed events (every 20th to the dead host); resolves their sids. */
  const publish = async (index: number): Promise<string | null> => {
    const toDead = index % 20 === 19;
    const call = new CallEvents(d.bus, accountSid, {
      url: toDead ? `${dead}#rc=0` : live,
      method: 'POST',
      events: ['completed'],
    });
    const at = now();
    await call.publish('completed');
    if (toDead) {
      deadSent += 1;
      return null;
    }
    published.set(call.callSid, at);
    return call.callSid;
  };

  console.log('webhook-dispatch delivery benchmark (1 replica, defaults; 1 in 20 to a dead host)');

  // Warm-up: connections, prepared statements, JIT.
  const warm = await Promise.all(Array.from({ length: 300 }, (_, i) => publish(i)));
  await until(() => warm.every((sid) => sid === null || arrivals.has(sid)), 60_000);

  // Burst.
  const burstSize = Number(process.env.BENCH_WEBHOOK_BURST ?? 6000);
  const burstStart = now();
  const burst: (string | null)[] = [];
  for (let i = 0; i < burstSize; i += 200) {
    burst.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(200, burstSize - i) }, (_, j) => publish(i + j)),
      )),
    );
  }
  const publishedIn = now() - burstStart;
  const burstLive = burst.filter((sid): sid is string => sid !== null);
  const complete = await until(() => burstLive.every((sid) => arrivals.has(sid)), 180_000);
  const [spread] = await d.query<{ intake_s: number; delivery_s: number }>(
    `SELECT extract(epoch FROM max(created_at) - min(created_at)) AS intake_s,
            extract(epoch FROM max(delivered_at) - min(delivered_at)) AS delivery_s
     FROM webhook_dispatch.webhook_deliveries WHERE call_sid = ANY($1)`,
    [burstLive],
  );
  line('burst: recorded over / delivered over', `${spread?.intake_s} s / ${spread?.delivery_s} s`);
  const lastArrival = Math.max(...burstLive.map((sid) => arrivals.get(sid) ?? 0));
  const burstSeconds = (lastArrival - burstStart) / 1000;
  line(
    `burst: ${burstLive.length} deliveries (${burstSize} events), published in`,
    `${(publishedIn / 1000).toFixed(1)} s`,
  );
  line(
    'burst: sustained deliveries per second',
    complete ? `${Math.round(burstLive.length / burstSeconds)} /s` : 'DID NOT FINISH in 180 s',
  );

  // Paced.
  const rate = Number(process.env.BENCH_WEBHOOK_RATE ?? 500);
  const seconds = Number(process.env.BENCH_WEBHOOK_SECONDS ?? 10);
  const paced: Promise<string | null>[] = [];
  const pacedStart = now();
  for (let i = 0; i < rate * seconds; i++) {
    const due = pacedStart + (i * 1000) / rate;
    const wait = due - now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    paced.push(publish(i));
  }
  const pacedLive = (await Promise.all(paced)).filter((sid): sid is string => sid !== null);
  await until(() => pacedLive.every((sid) => arrivals.has(sid)), 60_000);
  const latencies = pacedLive
    .map((sid) => (arrivals.get(sid) ?? NaN) - (published.get(sid) ?? NaN))
    .filter((ms) => Number.isFinite(ms))
    .sort((a, b) => a - b);
  line(
    `paced: ${rate}/s for ${seconds} s, publish -> received p50 / p99 / max`,
    `${percentile(latencies, 50).toFixed(1)} / ${percentile(latencies, 99).toFixed(1)} / ${(
      latencies[latencies.length - 1] ?? NaN
    ).toFixed(1)} ms (${latencies.length} of ${pacedLive.length} arrived)`,
  );

  const [state] = await d.query<{ pending: string; failed: string }>(
    `SELECT count(*) FILTER (WHERE status = 'pending') AS pending,
            count(*) FILTER (WHERE status = 'failed') AS failed
     FROM webhook_dispatch.webhook_deliveries`,
  );
  line(
    'dead host: callbacks sent to it / waiting / failed for good',
    `${deadSent} / ${state?.pending ?? '?'} / ${state?.failed ?? '?'}`,
  );

  await d.close();
  await receiver.terminate();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

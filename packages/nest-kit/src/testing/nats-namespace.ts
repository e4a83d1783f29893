import { randomBytes } from 'node:crypto';
import {
  ensureStream,
  NatsBus,
  streamConfig,
  streams,
  type NatsBusOptions,
} from '@parley/contracts';
import { connect, type NatsConnection } from 'nats';
import { testNatsUrl } from './database';

/**
 * One test's isolation unit on the shared test NATS: its own namespace, with every Parley
 * stream created in it. Services started with `env` (PARLEY_NATS_NAMESPACE and NATS_URL)
 * and buses from `bus()` see only this namespace's messages, never another test file's.
 */
export interface TestNatsNamespace {
  namespace: string;
  url: string;
  /** What a service (in-process or spawned) needs to join this namespace. */
  env: { NATS_URL: string; PARLEY_NATS_NAMESPACE: string };
  /** A typed bus of the test itself in this namespace, on `nc`. */
  bus(nc: NatsConnection, options?: Partial<Omit<NatsBusOptions, 'namespace'>>): NatsBus;
  /** Deletes this namespace's streams (with their consumers and messages). */
  drop(): Promise<void>;
}

/**
 * A fresh namespace for one test file (or harness): `t_<label>_<random>`, with its
 * streams created on the test NATS (`testNatsUrl()`). Call `drop()` in `afterAll`.
 */
export async function createTestNatsNamespace(label: string): Promise<TestNatsNamespace> {
  const safeLabel = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .slice(0, 20);
  const namespace = `t_${safeLabel}_${randomBytes(4).toString('hex')}`;
  const url = testNatsUrl();
  await withConnection(url, async (nc) => {
    const jsm = await nc.jetstreamManager();
    for (const def of streams) await ensureStream(jsm, def, namespace);
  });
  return {
    namespace,
    url,
    env: { NATS_URL: url, PARLEY_NATS_NAMESPACE: namespace },
    bus: (nc, options = {}) =>
      new NatsBus(nc, { source: `test/${namespace}`, ...options, namespace }),
    drop: () =>
      withConnection(url, async (nc) => {
        const jsm = await nc.jetstreamManager();
        for (const def of streams) {
          // Already gone is fine: a test may delete a stream on purpose.
          await jsm.streams.delete(streamConfig(def, namespace).name).catch(() => false);
        }
      }),
  };
}

async function withConnection(
  url: string,
  work: (nc: NatsConnection) => Promise<void>,
): Promise<void> {
  const nc = await connect({ servers: url.split(',').map((s) => s.trim()), name: 'parley-test' });
  try {
    await work(nc);
  } finally {
    await nc.close();
  }
}

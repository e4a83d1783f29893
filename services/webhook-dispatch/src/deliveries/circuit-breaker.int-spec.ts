import { type ServerResponse } from 'node:http';
import { createServer } from 'node:net';
import { MetricsService } from '@parley/nest-kit';
import { CallEvents, type Dispatcher, newSid, startDispatcher, waitFor } from '../testing/harness';
import { DeliveryWorker } from './delivery-worker';

interface Row {
  status: string;
  attempts: number;
}

/** A port nothing listens on: connections to it are refused. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A metric's value on the service's registry, for the series with these labels. */
async function metric(d: Dispatcher, name: string, labels: Record<string, string> = {}) {
  const found = await d.app.app.get(MetricsService).registry.getSingleMetric(name)?.get();
  const series = found?.values.find((v) =>
    Object.entries(labels).every(([key, value]) => v.labels[key] === value),
  );
  return series?.value;
}

const rowsOf = (d: Dispatcher, callSids: string[]) =>
  d.query<Row>(
    `SELECT status, attempts FROM webhook_dispatch.webhook_deliveries WHERE call_sid = ANY($1)`,
    [callSids],
  );

describe('a destination that keeps failing trips its circuit', () => {
  let d: Dispatcher;
  let accountSid: string;

  beforeAll(async () => {
    d = await startDispatcher('circuit-open', {
      DELIVERY_CIRCUIT_FAILURES: '2',
      // Open for the whole test: nothing may reach the dead host once it opened.
      DELIVERY_CIRCUIT_OPEN_MS: '3600000',
      DELIVERY_CIRCUIT_MAX_OPEN_MS: '3600000',
      DELIVERY_HOST_CONCURRENCY: '1',
      DELIVERY_MAX_ATTEMPTS: '50',
      // The dead host is 127.0.0.2, the healthy receiver 127.0.0.1: two destinations.
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: '127.0.0.0/8',
    });
    accountSid = newSid('AC');
    d.authTokens.set(accountSid, 'e'.repeat(32));
  }, 60_000);

  afterAll(async () => {
    await d?.close();
  });

  it('stops sending to the dead host after the threshold; other hosts are not held up', async () => {
    const port = await deadPort();
    const dead = Array.from(
      { length: 4 },
      () =>
        new CallEvents(d.bus, accountSid, {
          url: `http://127.0.0.2:${port}/gone#rc=0`,
          method: 'POST',
          events: ['completed'],
        }),
    );
    for (const call of dead) await call.publish('completed');
    const worker = d.app.app.get(DeliveryWorker);
    await waitFor(() => worker.circuits.state('127.0.0.2') === 'open', 'the circuit to open');

    // A healthy destination's callback, recorded after the circuit opened, is delivered.
    const healthy = new CallEvents(d.bus, accountSid, {
      url: `${d.receiver.base}/fine`,
      method: 'POST',
      events: ['completed'],
    });
    await healthy.publish('completed');
    await waitFor(async () => {
      const [row] = await rowsOf(d, [healthy.callSid]);
      return row?.status === 'delivered';
    }, 'the healthy delivery');
    expect(d.receiver.forCall(healthy.callSid)).toHaveLength(1);

    // The dead host got exactly the threshold's attempts; its callbacks wait, none lost.
    const rows = await rowsOf(
      d,
      dead.map((c) => c.callSid),
    );
    expect(rows).toHaveLength(4);
    expect(rows.every((r) => r.status === 'pending')).toBe(true);
    expect(rows.reduce((sum, r) => sum + r.attempts, 0)).toBe(2);
    expect(await metric(d, 'parley_webhook_circuits_open')).toBe(1);
    expect(await metric(d, 'parley_webhook_circuit_transitions_total', { to: 'open' })).toBe(1);
  });
});

describe('a destination that comes back', () => {
  let d: Dispatcher;
  let accountSid: string;

  beforeAll(async () => {
    d = await startDispatcher('circuit-close', {
      DELIVERY_CIRCUIT_FAILURES: '2',
      DELIVERY_CIRCUIT_OPEN_MS: '200',
      DELIVERY_CIRCUIT_MAX_OPEN_MS: '400',
      DELIVERY_HOST_CONCURRENCY: '1',
      DELIVERY_MAX_ATTEMPTS: '50',
    });
    accountSid = newSid('AC');
    d.authTokens.set(accountSid, 'd'.repeat(32));
  }, 60_000);

  afterAll(async () => {
    await d?.close();
  });

  it('is probed once its open period ends, and gets its backlog when it answers', async () => {
    let down = true;
    d.receiver.on('/recovering', (_req, res: ServerResponse) => {
      res.writeHead(down ? 503 : 200).end();
    });
    const calls = Array.from(
      { length: 3 },
      () =>
        new CallEvents(d.bus, accountSid, {
          url: `${d.receiver.base}/recovering#rc=0`,
          method: 'POST',
          events: ['completed'],
        }),
    );
    for (const call of calls) await call.publish('completed');
    const worker = d.app.app.get(DeliveryWorker);
    await waitFor(() => worker.circuits.state('127.0.0.1') !== 'closed', 'the circuit to open');

    down = false;
    await waitFor(async () => {
      const rows = await rowsOf(
        d,
        calls.map((c) => c.callSid),
      );
      return rows.length === 3 && rows.every((r) => r.status === 'delivered');
    }, 'the backlog to be delivered');
    expect(worker.circuits.state('127.0.0.1')).toBe('closed');
    expect(await metric(d, 'parley_webhook_circuit_transitions_total', { to: 'closed' })).toBe(1);
    expect(await metric(d, 'parley_webhook_circuits_open')).toBe(0);
    // Every callback arrived with a valid signature, the last answer of each a 200.
    for (const call of calls) {
      const got = d.receiver.forCall(call.callSid);
      expect(got.length).toBeGreaterThanOrEqual(1);
      expect(got.every((r) => r.signatureValid)).toBe(true);
    }
  });
});

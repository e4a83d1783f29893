import { postgresOptions } from '@parley/nest-kit';
import { DataSource } from 'typeorm';
import { service } from '../service';
import {
  type Harness,
  provisionTenant,
  publishedStatusEvents,
  startHarness,
  type Tenant,
  waitFor,
} from '../testing/harness';

describe('status outbox: a hung NATS never holds database connections', () => {
  let h: Harness;
  let t: Tenant;
  /** The test's own connection: the service's pool is what is under test. */
  let observer: DataSource;

  beforeAll(async () => {
    h = await startHarness('outbox', {
      natsProxy: true,
      env: { DATABASE_POOL_MAX: '4', OUTBOX_SWEEP_MS: '200', NATS_REQUEST_TIMEOUT_MS: '2000' },
    });
    t = await provisionTenant(h);
    observer = new DataSource(
      postgresOptions({
        url: h.db.url,
        applicationName: 'cc-test-observer',
        database: service.database,
      }),
    );
    await observer.initialize();
  });

  afterAll(async () => {
    await observer.destroy();
    await h.close();
  });

  it('keeps the REST API answering and holds no transaction open while NATS is black-holed, and publishes every event once it is back', async () => {
    await h.simClient.createUser({ waId: '5524987650991' });
    const { callId } = await h.simClient.userCall('5524987650991', t.business.phoneNumberId);
    const session = await waitFor(
      () => h.peers.sessions.find((s) => s.parameters.From === 'whatsapp:+5524987650991'),
      'the session',
    );
    const sid = session.callSid;
    await h.bus.request('calls.v1.call.accept', { callSid: sid }, { timeoutMs: 10_000 });
    await waitFor(
      async () => (await publishedStatusEvents(h.bus, sid)).length === 2,
      'ringing and in-progress published',
    );

    // NATS accepts the service's bytes and never answers: every publish hangs to its timeout.
    h.natsProxy?.blackhole();
    const sweepFailures = async () => {
      const text = await (await fetch(`${h.url}/metrics`)).text();
      const m =
        /parley_periodic_task_failures_total\{[^}]*task="status-outbox\.sweep"[^}]*\} (\d+)/.exec(
          text,
        );
      return Number(m?.[1] ?? 0);
    };
    const failuresBefore = await sweepFailures();
    await h.simClient.userHangup(callId);

    const pinnedQueries: string[] = [];
    const statuses = new Set<number>();
    // Until two sweeps have waited out a hung publish (and the hang-up's own publish did).
    await waitFor(
      async () => {
        // A transaction left waiting (idle) for over a second: one waiting on NATS.
        const pinned = await observer.query<{ query: string }[]>(
          "SELECT query FROM pg_stat_activity WHERE application_name = $1 AND state LIKE 'idle in transaction%' AND state_change < now() - interval '1 second'",
          ['call-control/cc-test-outbox'],
        );
        pinnedQueries.push(...pinned.map((p) => p.query));
        const res = await t.rest.get(`/2010-04-01/Accounts/${t.account.sid}/Calls/${sid}.json`);
        statuses.add(res.status);
        return (await sweepFailures()) >= failuresBefore + 2 && res.body.status === 'completed';
      },
      'two sweeps to fail against the black hole',
      60_000,
    );
    expect(pinnedQueries).toEqual([]);
    expect([...statuses]).toEqual([200]);
    const pending = await observer.query<{ n: number }[]>(
      'SELECT count(*)::int AS n FROM call_control.call_events WHERE call_sid = $1 AND sequence IS NOT NULL AND published_at IS NULL',
      [sid],
    );
    expect(pending[0]?.n).toBe(1);

    h.natsProxy?.unblackhole();
    const events = await waitFor(
      async () => {
        const e = await publishedStatusEvents(h.bus, sid);
        return e.length >= 3 ? e : undefined;
      },
      'the completed event once NATS answers again',
      30_000,
    );
    expect(events.map((e) => [e.payload.sequence, e.payload.status, e.msgId])).toEqual([
      [0, 'ringing', `${sid}:0`],
      [1, 'in-progress', `${sid}:1`],
      [2, 'completed', `${sid}:2`],
    ]);
  });
});

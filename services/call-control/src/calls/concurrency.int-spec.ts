import { bootstrap, type RunningService } from '@parley/nest-kit';
import { type CallControlEnv } from '../config/env.schema';
import { service } from '../service';
import {
  type Harness,
  provisionTenant,
  RestClient,
  startHarness,
  type Tenant,
  waitFor,
} from '../testing/harness';

const LIMIT = 4;

describe('concurrent calls per WhatsApp sender', () => {
  let h: Harness;
  let t: Tenant;
  let replica: RunningService<CallControlEnv>;
  let users: string[];

  beforeAll(async () => {
    const env = { SENDER_MAX_CONCURRENT_CALLS: String(LIMIT), WHATSAPP_NUMBER_CHECK: 'possible' };
    h = await startHarness('concurrency', { env });
    t = await provisionTenant(h);
    // A second replica of the service on the same database and NATS.
    replica = await bootstrap(service, {
      handleSignals: false,
      env: {
        ...env,
        NODE_ENV: 'test',
        LOG_LEVEL: 'error',
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: '0',
        DATABASE_URL: h.db.url,
        // The same NATS namespace: the replicas share a queue group, as in production.
        ...h.nats.env,
        META_GRAPH_BASE_URL: h.sim.url,
        INSTANCE_ID: 'cc-test-replica',
      },
    });
    users = [];
    for (let i = 0; i < 12; i++) {
      const waId = `4477009002${String(10 + i)}`;
      await h.simClient.createUser({ waId, behaviour: { onIncomingCall: 'ignore' } });
      await h.simClient.grantPermission(waId, t.business.phoneNumberId);
      users.push(waId);
    }
  });

  afterAll(async () => {
    await replica.close();
    await h.close();
  });

  const activeCalls = async (): Promise<number> => {
    const rows = await h.query<{ active_calls: number }>(
      'SELECT active_calls FROM call_control.senders WHERE sid = $1',
      [t.senderSid],
    );
    return rows[0]?.active_calls ?? -1;
  };

  it(`lets exactly ${LIMIT} of 10 simultaneous calls through, across two replicas, and frees slots as calls end`, async () => {
    const clients = [t.rest, new RestClient(replica.url, t.account.sid, t.account.authToken)];
    const results = await Promise.all(
      users.slice(0, 10).map((waId, i) =>
        (clients[i % 2] ?? t.rest).post(`/2010-04-01/Accounts/${t.account.sid}/Calls.json`, {
          To: `whatsapp:+${waId}`,
          From: t.senderId,
          Url: 'https://example.com/x',
        }),
      ),
    );
    const accepted = results.filter((r) => r.status === 201);
    const refused = results.filter((r) => r.status !== 201);
    expect(accepted).toHaveLength(LIMIT);
    expect(refused).toHaveLength(10 - LIMIT);
    for (const r of refused) {
      expect(r.status).toBe(429);
      expect(r.body.code).toBe(37004);
      expect(String(r.body.message)).toMatch(new RegExp(`already has ${LIMIT} calls in progress`));
    }
    expect(await activeCalls()).toBe(LIMIT);

    // A user calling in while the sender is full is turned away at Meta.
    await h.simClient.createUser({ waId: '5524987659999' });
    const inbound = await h.simClient.userCall('5524987659999', t.business.phoneNumberId);
    expect(
      (await h.simClient.waitForCall(inbound.callId, (c) => c.status === 'ended')).endReason,
    ).toBe('business_reject');
    expect(await activeCalls()).toBe(LIMIT);

    // One call ends: its slot is free again, and only one more call fits.
    const first = String(accepted[0]?.body.sid);
    await waitFor(
      async () =>
        (await t.rest.get(`/2010-04-01/Accounts/${t.account.sid}/Calls/${first}.json`)).body
          .status === 'ringing'
          ? true
          : undefined,
      'ringing',
    );
    expect(
      (
        await t.rest.post(`/2010-04-01/Accounts/${t.account.sid}/Calls/${first}.json`, {
          Status: 'canceled',
        })
      ).body.status,
    ).toBe('canceled');
    expect(await activeCalls()).toBe(LIMIT - 1);
    const more = await Promise.all(
      [users[10], users[11]].map((waId) =>
        t.rest.post(`/2010-04-01/Accounts/${t.account.sid}/Calls.json`, {
          To: `whatsapp:+${waId}`,
          From: t.senderId,
          Url: 'https://example.com/x',
        }),
      ),
    );
    expect(more.map((r) => r.status).sort()).toEqual([201, 429]);
    expect(await activeCalls()).toBe(LIMIT);

    // Every call ending (here: canceled through the API) gives its slot back exactly once.
    const live = [...accepted.slice(1), ...more.filter((r) => r.status === 201)].map((r) =>
      String(r.body.sid),
    );
    for (const sid of live) {
      await t.rest.post(`/2010-04-01/Accounts/${t.account.sid}/Calls/${sid}.json`, {
        Status: 'canceled',
      });
      await t.rest.post(`/2010-04-01/Accounts/${t.account.sid}/Calls/${sid}.json`, {
        Status: 'canceled',
      });
    }
    expect(await activeCalls()).toBe(0);
  });
});

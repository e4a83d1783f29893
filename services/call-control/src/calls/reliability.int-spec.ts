import { ensureStream, streams } from '@parley/contracts';
import {
  type Harness,
  provisionTenant,
  publishedStatusEvents,
  startHarness,
  type Tenant,
  waitFor,
} from '../testing/harness';

describe('durability: timers survive restarts, status events survive a JetStream outage', () => {
  let h: Harness;
  let t: Tenant;

  beforeAll(async () => {
    h = await startHarness('reliability', { env: { WHATSAPP_NUMBER_CHECK: 'possible' } });
    t = await provisionTenant(h);
  });

  afterAll(async () => {
    await h.close();
  });

  it('ends an unanswered call at its Timeout even though the service restarted meanwhile', async () => {
    await h.simClient.createUser({ waId: '447700900601', behaviour: { onIncomingCall: 'ignore' } });
    await h.simClient.grantPermission('447700900601', t.business.phoneNumberId);
    const created = await t.rest.post(`/2010-04-01/Accounts/${t.account.sid}/Calls.json`, {
      To: 'whatsapp:+447700900601',
      From: t.senderId,
      Url: 'https://example.com/x',
      Timeout: '3',
    });
    const sid = String(created.body.sid);
    await waitFor(
      async () =>
        (await t.rest.get(`/2010-04-01/Accounts/${t.account.sid}/Calls/${sid}.json`)).body
          .status === 'ringing'
          ? true
          : undefined,
      'ringing',
    );
    await h.restart();
    await h.simClient.updateBusiness(t.business.phoneNumberId, {
      webhookUrl: `${h.url}/meta/webhooks`,
    });
    const rest = h.rest(t.account);
    const ended = await waitFor(async () => {
      const r = await rest.get(`/2010-04-01/Accounts/${t.account.sid}/Calls/${sid}.json`);
      return r.body.status === 'no-answer' ? r.body : undefined;
    }, 'the timer to fire after the restart');
    expect(ended.duration).toBe('0');
    // Meta hears of the end after it is committed: wait for the call to end there too.
    const sim = await waitFor(async () => {
      const [c] = await h.simClient.listCalls({ waId: '447700900601' });
      return c?.status === 'ended' ? c : undefined;
    }, 'the call to end at Meta');
    expect(sim.endReason).toBe('business_terminate');
  });

  it('commits transitions while JetStream is down and publishes them, in order, once it is back', async () => {
    const jsm = await h.nc.jetstreamManager();
    await jsm.streams.delete(h.bus.jetStreamName('PARLEY_CALLS'));
    let sid = '';
    try {
      await h.simClient.createUser({ waId: '5524987650777' });
      const { callId } = await h.simClient.userCall('5524987650777', t.business.phoneNumberId);
      const session = await waitFor(
        () => h.peers.sessions.find((s) => s.parameters.From === 'whatsapp:+5524987650777'),
        'the session',
      );
      sid = session.callSid;
      await h.bus.request(
        'calls.v1.call.accept',
        { callSid: session.callSid },
        { timeoutMs: 10_000 },
      );
      await h.simClient.userHangup(callId);
      const rest = h.rest(t.account);
      await waitFor(
        async () =>
          (await rest.get(`/2010-04-01/Accounts/${t.account.sid}/Calls/${sid}.json`)).body
            .status === 'completed'
            ? true
            : undefined,
        'completed',
      );
      const pending = await h.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM call_control.call_events WHERE call_sid = $1 AND sequence IS NOT NULL AND published_at IS NULL',
        [sid],
      );
      expect(pending[0]?.n).toBe(3);
    } finally {
      for (const def of streams) await ensureStream(jsm, def, h.nats.namespace);
    }
    const events = await waitFor(async () => {
      const e = await publishedStatusEvents(h.bus, sid);
      return e.length === 3 ? e : undefined;
    }, 'the sweeper to publish the backlog');
    expect(events.map((e) => [e.payload.sequence, e.payload.status, e.msgId])).toEqual([
      [0, 'ringing', `${sid}:0`],
      [1, 'in-progress', `${sid}:1`],
      [2, 'completed', `${sid}:2`],
    ]);
    await waitFor(async () => {
      const rows = await h.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM call_control.call_events WHERE call_sid = $1 AND sequence IS NOT NULL AND published_at IS NULL',
        [sid],
      );
      return rows[0]?.n === 0 ? true : undefined;
    }, 'the outbox to be marked published');
  });
});

import {
  type Harness,
  provisionTenant,
  startHarness,
  type Tenant,
  waitFor,
} from '../testing/harness';

/** The value of one series in Prometheus text format (labels matched exactly, any order). */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-z_:][a-z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-z_]+)="((?:[^"\\]|\\.)*)"/g)) {
      got[l[1] ?? ''] = l[2] ?? '';
    }
    const want = { service: 'call-control', ...labels };
    if (
      Object.keys(got).length === Object.keys(want).length &&
      Object.entries(want).every(([k, v]) => got[k] === v)
    ) {
      return Number(m[3]);
    }
  }
  return undefined;
}

describe('call metrics for operators (deploy/prometheus alerts and dashboards)', () => {
  let h: Harness;
  let t: Tenant;
  const metrics = async (): Promise<string> => {
    const res = await fetch(`${h.url}/metrics`);
    expect(res.status).toBe(200);
    return res.text();
  };

  beforeAll(async () => {
    h = await startHarness('call-metrics');
    t = await provisionTenant(h);
  });
  afterAll(async () => {
    await h.close();
  });

  it('counts a call while it lives, its set-up time, and its end by status (no error code: empty label)', async () => {
    await h.simClient.createUser({ waId: '5511987650001', name: 'Metrics User' });
    const { callId } = await h.simClient.userCall('5511987650001', t.business.phoneNumberId);
    const session = await waitFor(
      () => h.peers.sessions.find((s) => s.parameters.From === 'whatsapp:+5511987650001'),
      'the interpreter session',
    );

    // Ringing: one live call on the sender; nothing ended or answered yet.
    const ringing = await metrics();
    expect(sample(ringing, 'parley_calls_active', { status: 'ringing', sender: t.senderSid })).toBe(
      1,
    );
    expect(
      sample(ringing, 'parley_calls_ended_total', {
        status: 'completed',
        direction: 'inbound',
        error_code: '',
      }),
    ).toBeUndefined();

    await h.bus.request(
      'calls.v1.call.accept',
      { callSid: session.callSid },
      { timeoutMs: 10_000 },
    );
    const answered = await metrics();
    expect(sample(answered, 'parley_call_setup_seconds_count', { direction: 'inbound' })).toBe(1);
    expect(
      sample(answered, 'parley_calls_active', { status: 'in-progress', sender: t.senderSid }),
    ).toBe(1);
    expect(
      sample(answered, 'parley_calls_active', { status: 'ringing', sender: t.senderSid }),
    ).toBeUndefined();

    await h.simClient.userHangup(callId);
    const ended = await waitFor(async () => {
      const text = await metrics();
      return sample(text, 'parley_calls_ended_total', {
        status: 'completed',
        direction: 'inbound',
        error_code: '',
      }) === 1
        ? text
        : undefined;
    }, 'the ended call to be counted');
    expect(
      sample(ended, 'parley_calls_active', { status: 'in-progress', sender: t.senderSid }),
    ).toBeUndefined();

    // Every status event got published: the outbox is empty and has no age.
    const drained = await waitFor(async () => {
      const text = await metrics();
      return sample(text, 'parley_status_outbox_pending', {}) === 0 ? text : undefined;
    }, 'the status outbox to drain');
    expect(sample(drained, 'parley_status_outbox_oldest_seconds', {})).toBe(0);
  });

  it('shows status events the outbox could not publish yet, and how old the oldest is', async () => {
    // An event committed but not published (what a NATS outage leaves behind), made old.
    const [call] = await h.query<{ sid: string; account_sid: string }>(
      'SELECT sid, account_sid FROM call_control.calls LIMIT 1',
    );
    expect(call).toBeDefined();
    await h.query(
      `INSERT INTO call_control.call_events (call_sid, account_sid, sequence, type, name, occurred_at)
       VALUES ($1, $2, 99, 'status', 'completed', now() - interval '120 seconds')`,
      [call?.sid, call?.account_sid],
    );
    const text = await metrics();
    expect(sample(text, 'parley_status_outbox_pending', {})).toBe(1);
    expect(sample(text, 'parley_status_outbox_oldest_seconds', {})).toBeGreaterThanOrEqual(120);
  });
});

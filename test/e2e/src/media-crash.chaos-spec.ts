import { Client } from 'pg';
import { Stack, until } from './stack';
import { twiml, TwimlApp } from './twiml-app';

const ACCOUNT_SID = 'AC0c4a0500000000000000000000000002';
const AUTH_TOKEN = '0c4a0500000000000000000000000002';
const BUSINESS_NUMBER = '15550100311';
const CALLER = '15550100312';

/**
 * Chaos: media (a built process holding a live call's WebRTC leg) is killed with SIGKILL
 * and comes back as a new instance, as a replaced pod does. Its leg is gone with it; the
 * new instance finds the dead one's lease lapsed and fails the leg, and call-control ends
 * the call at Meta, so the WhatsApp user is not left on a dead line.
 */
describe('media killed with SIGKILL mid-call', () => {
  let stack: Stack;
  const app = new TwimlApp(AUTH_TOKEN);
  let phoneNumberId: string;

  beforeAll(async () => {
    await app.start();
    // A call that would last ten minutes if nothing ended it.
    app.routes.set('/voice', () => twiml('<Response><Pause length="600"/></Response>'));
    stack = await Stack.start({
      name: 'chaos_media',
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      services: ['call-control', 'media', 'twiml-interpreter', 'consent'],
      // A lease of 3 s: a dead instance is noticed within seconds of a peer running.
      env: { MEDIA_INSTANCE_LEASE_MS: '3000' },
      // Meta would end a call without media after 20 s on its own; a restart on a loaded
      // machine can take longer, and the end must come from Parley here.
      simulatorEnv: { META_SIM_MEDIA_TIMEOUT_MS: '600000' },
    });
    const sender = await stack.sender({ number: BUSINESS_NUMBER, voiceUrl: `${app.url}/voice` });
    phoneNumberId = sender.phoneNumberId;
    await stack.simClient.createUser({ waId: CALLER });
  }, 420_000);

  async function query<T>(sql: string, params: unknown[]): Promise<T[]> {
    const client = new Client({ connectionString: stack.db.url });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end();
    }
  }

  afterAll(async () => {
    await stack?.stop();
    await app.stop();
  }, 30_000);

  it('ends at Meta, failed with 53405, a call whose media instance died and was replaced', async () => {
    const { callId } = await stack.simClient.userCall(CALLER, phoneNumberId);
    await stack.simClient.waitForCall(callId, (c) => c.media.connected, 30_000);
    const voice = await until('the TwiML request', () =>
      app.requests.find((r) => r.path === '/voice'),
    );
    const callSid = voice.params.CallSid!;
    await until('the call in progress', async () => {
      const call = await stack.restOk('GET', stack.accountPath(`/Calls/${callSid}.json`));
      return call.status === 'in-progress' ? call : undefined;
    });

    // The restarted process has a new pid, hence a new instance id: it cannot recognise the
    // leg as its own, only as a dead instance's.
    await stack.crashAndRestart('media');

    const ended = await until(
      'the call to end',
      async () => {
        const call = await stack.restOk('GET', stack.accountPath(`/Calls/${callSid}.json`));
        return call.status === 'in-progress' ? undefined : call;
      },
      { timeoutMs: 60_000 },
    );
    expect(ended).toMatchObject({ status: 'failed' });
    const sim = await stack.simClient.waitForCall(callId, (c) => c.status === 'ended', 30_000);
    expect(sim.endReason).toBe('business_terminate');
    const [row] = await query<{ error_code: number | null }>(
      'SELECT error_code FROM call_control.calls WHERE sid = $1',
      [callSid],
    );
    expect(row?.error_code).toBe(53405);
    const [leg] = await query<{ state: string; end_reason: string }>(
      'SELECT state, end_reason FROM media.whatsapp_legs WHERE call_sid = $1',
      [callSid],
    );
    expect(leg).toEqual({ state: 'failed', end_reason: 'media instance lost' });
  }, 180_000);
});

import { join } from 'node:path';
import { MetaSimClient } from '@parley/meta-sim';
import {
  createTestDatabase,
  createTestNatsNamespace,
  type TestDatabase,
  type TestNatsNamespace,
} from '@parley/nest-kit/testing';
import { freePort, migrate, startProcess, startService, type ServiceProcess } from './processes';

const ROOT = join(__dirname, '..', '..', '..');
const ACCOUNT_SID = 'AC0e2e0000000000000000000000000c01';
const AUTH_TOKEN = '0e2e0000000000000000000000000c01';
const BUSINESS_NUMBER = '15550100011';
const ANSWERS = '15550100012';
const NEVER_ANSWERS = '15550100013';

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface CallPermission {
  status: string;
  consecutive_missed_calls: number;
  calls: { window: string; max: number; used: number; remaining: number }[];
  next_call: { allowed: boolean; rule: string | null; error_code: number | null };
}

/**
 * WhatsApp's call-permission rules through the whole system: the simulated user's
 * permission reply reaches consent through Meta's webhook and call-control's durable event,
 * five business calls connect, the sixth is refused before anything reaches Meta, and four
 * unanswered calls revoke the permission. Every service runs as a process, consent included.
 */
describe('WhatsApp call permissions through every service', () => {
  let db: TestDatabase;
  let nats: TestNatsNamespace;
  let sim: ServiceProcess;
  let simClient: MetaSimClient;
  const running: ServiceProcess[] = [];
  let api: string;
  let phoneNumberId: string;

  const auth = `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`;
  async function rest(method: string, path: string, body?: Record<string, string>) {
    const res = await fetch(`${api}${path}`, {
      method,
      headers: {
        authorization: auth,
        ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: body ? new URLSearchParams(body).toString() : undefined,
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }
  const permission = async (waId: string) =>
    (
      await rest(
        'GET',
        `/2010-04-01/Accounts/${ACCOUNT_SID}/CallPermissions/${encodeURIComponent(`whatsapp:+${waId}`)}.json?From=${encodeURIComponent(`whatsapp:+${BUSINESS_NUMBER}`)}`,
      )
    ).body as unknown as CallPermission;
  const placeCall = (waId: string, extra: Record<string, string> = {}) =>
    rest('POST', `/2010-04-01/Accounts/${ACCOUNT_SID}/Calls.json`, {
      From: `whatsapp:+${BUSINESS_NUMBER}`,
      To: `whatsapp:+${waId}`,
      Twiml: '<Response><Pause length="1"/><Hangup/></Response>',
      ...extra,
    });
  const callEnded = (sid: string) =>
    until(`call ${sid} to end`, async () => {
      const call = await rest('GET', `/2010-04-01/Accounts/${ACCOUNT_SID}/Calls/${sid}.json`);
      const status = String(call.body.status);
      return ['completed', 'busy', 'no-answer', 'failed', 'canceled'].includes(status)
        ? status
        : undefined;
    });
  const connectsTo = async (waId: string) =>
    (await simClient.listGraphRequests({ edge: 'calls', action: 'connect' })).filter(
      (r) => (r.body as { to?: string } | null)?.to === waId,
    ).length;

  beforeAll(async () => {
    db = await createTestDatabase('e2e_consent');
    nats = await createTestNatsNamespace('e2e_consent');
    const simPort = await freePort();
    sim = await startProcess('meta-sim', join(ROOT, 'test', 'meta-sim', 'dist', 'main.js'), {
      env: {
        PATH: process.env.PATH ?? '',
        META_SIM_PORT: String(simPort),
        META_SIM_LOG_LEVEL: 'warn',
      },
      readyUrl: `http://127.0.0.1:${simPort}/sim/v1/status`,
      url: `http://127.0.0.1:${simPort}`,
    });
    simClient = new MetaSimClient(sim.url);
    const env = {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      DATABASE_URL: db.url,
      ...nats.env,
      SHUTDOWN_GRACE_MS: '2000',
      MEDIASOUP_NUM_WORKERS: '1',
      META_GRAPH_BASE_URL: sim.url,
      WHATSAPP_NUMBER_CHECK: 'possible',
      PARLEY_DEV_ACCOUNT_SID: ACCOUNT_SID,
      PARLEY_DEV_AUTH_TOKEN: AUTH_TOKEN,
      ...(process.env.MEDIASOUP_WORKER_BIN
        ? { MEDIASOUP_WORKER_BIN: process.env.MEDIASOUP_WORKER_BIN }
        : {}),
    };
    for (const name of ['call-control', 'media', 'twiml-interpreter', 'consent'] as const) {
      await migrate(name, env);
      running.push(await startService(name, env));
    }
    api = running[0]!.url;

    const business = await simClient.createBusiness({
      displayPhoneNumber: BUSINESS_NUMBER,
      webhookUrl: `${api}/meta/webhooks`,
    });
    phoneNumberId = business.phoneNumberId;
    await simClient.createUser({
      waId: ANSWERS,
      behaviour: { onIncomingCall: 'answer', answerAfterMs: 200 },
    });
    await simClient.createUser({ waId: NEVER_ANSWERS, behaviour: { onIncomingCall: 'ignore' } });
    const application = await rest(
      'POST',
      `/2010-04-01/Accounts/${ACCOUNT_SID}/Applications.json`,
      { FriendlyName: 'e2e consent', VoiceUrl: 'https://example.com/voice' },
    );
    const sender = await fetch(`${api}/v2/Channels/Senders`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        sender_id: `whatsapp:+${BUSINESS_NUMBER}`,
        configuration: {
          waba_id: business.wabaId,
          phone_number_id: business.phoneNumberId,
          access_token: business.accessToken,
          app_secret: business.appSecret,
          voice_application_sid: application.body.sid,
        },
      }),
    });
    expect(sender.status).toBe(201);
  }, 420_000);

  afterAll(async () => {
    for (const p of [...running, sim]) if (p && p.child.exitCode === null) p.child.kill('SIGTERM');
    await Promise.all([...running, sim].filter(Boolean).map((p) => p.exited));
    await nats?.drop();
    await db?.drop();
  }, 30_000);

  it('refuses a user who never granted permission, naming the rule, before anything reaches Meta', async () => {
    const refused = await placeCall(ANSWERS);
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ code: 37000 });
    expect(String(refused.body.message)).toMatch(/^permission-required: /);
    expect(await connectsTo(ANSWERS)).toBe(0);
  });

  it('five calls connect after the user accepts; the sixth is refused with 37006 before Meta', async () => {
    // The simulated user accepts: Meta's call_permission_reply webhook reaches call-control,
    // which publishes it durably; consent records the grant.
    await simClient.grantPermission(ANSWERS, phoneNumberId, { permanent: false });
    const granted = await until('consent to record the grant', async () => {
      const p = await permission(ANSWERS);
      return p.status === 'temporary' ? p : undefined;
    });
    expect(granted.calls[0]).toMatchObject({ max: 5, used: 0, remaining: 5 });

    for (let i = 1; i <= 5; i++) {
      const created = await placeCall(ANSWERS);
      expect(created.status).toBe(201);
      expect(await callEnded(String(created.body.sid))).toBe('completed');
    }
    expect(await connectsTo(ANSWERS)).toBe(5);
    const used = await until('five connected calls counted', async () => {
      const p = await permission(ANSWERS);
      return p.calls[0]?.used === 5 ? p : undefined;
    });
    expect(used.next_call).toMatchObject({
      allowed: false,
      rule: 'connected-calls-24h',
      error_code: 37006,
    });

    const sixth = await placeCall(ANSWERS);
    expect(sixth.status).toBe(429);
    expect(sixth.body).toMatchObject({ code: 37006 });
    expect(String(sixth.body.message)).toMatch(/^connected-calls-24h: /);
    // The simulator saw no sixth connect: the refusal happened before Meta.
    expect(await connectsTo(ANSWERS)).toBe(5);
  }, 180_000);

  it('four unanswered calls in a row revoke the permission', async () => {
    await simClient.grantPermission(NEVER_ANSWERS, phoneNumberId, { permanent: true });
    await until('consent to record the permanent grant', async () =>
      (await permission(NEVER_ANSWERS)).status === 'permanent' ? true : undefined,
    );
    for (let i = 1; i <= 4; i++) {
      const created = await placeCall(NEVER_ANSWERS, { Timeout: '2' });
      expect(created.status).toBe(201);
      expect(await callEnded(String(created.body.sid))).toBe('no-answer');
      if (i === 2) {
        const reprompt = await until('the re-prompt state', async () => {
          const p = (await permission(NEVER_ANSWERS)) as CallPermission & { reprompt: boolean };
          return p.consecutive_missed_calls === 2 ? p : undefined;
        });
        expect(reprompt.reprompt).toBe(true);
      }
    }
    const revoked = await until('the revocation', async () => {
      const p = await permission(NEVER_ANSWERS);
      return p.status === 'revoked' ? p : undefined;
    });
    expect(revoked.next_call).toMatchObject({
      allowed: false,
      rule: 'missed-calls-revoke',
      error_code: 37000,
    });
    const connects = await connectsTo(NEVER_ANSWERS);
    const refused = await placeCall(NEVER_ANSWERS);
    expect(refused.body).toMatchObject({ code: 37000 });
    expect(String(refused.body.message)).toMatch(/^missed-calls-revoke: /);
    expect(await connectsTo(NEVER_ANSWERS)).toBe(connects);
  }, 180_000);
});

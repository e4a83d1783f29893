import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type NatsBus,
  type CallSid,
  type DtmfReceivedV1,
  type PlayFinishedV1,
  type RecordingCompletedV1,
  type SessionStartRequestV1,
} from '@parley/contracts';
import { MetaSimClient, decodeWav, dominantFrequency } from '@parley/meta-sim';
import {
  createTestDatabase,
  createTestNatsNamespace,
  type TestDatabase,
  type TestNatsNamespace,
} from '@parley/nest-kit/testing';
import { connect, type NatsConnection } from 'nats';
import { freePort, migrate, startProcess, startService, type ServiceProcess } from './processes';

const ROOT = join(__dirname, '..', '..', '..');
const ACCOUNT_SID = 'AC0e2e0000000000000000000000000001';
const AUTH_TOKEN = '0e2e0000000000000000000000000001';
const BUSINESS_NUMBER = '15550100001';
const CALLER = '15550100002';

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A WhatsApp call through the real system: the simulator (Meta's side, real WebRTC users)
 * and the five services run as processes, rtpengine and mediasoup carry the audio.
 * The TwiML interpreter and the consent ledger are later issues, so this test answers
 * their NATS subjects itself, exactly as those services will, and drives the rest.
 */
describe('A WhatsApp call through every service', () => {
  let db: TestDatabase;
  let nats: TestNatsNamespace;
  let nc: NatsConnection;
  let bus: NatsBus;
  let sim: ServiceProcess;
  let simClient: MetaSimClient;
  const running: ServiceProcess[] = [];
  let api: string;
  let phoneNumberId: string;
  const sessions: SessionStartRequestV1[] = [];
  const digits: DtmfReceivedV1[] = [];
  const plays: PlayFinishedV1[] = [];
  const recordings: RecordingCompletedV1[] = [];
  let consentAllows = true;
  let recordingsDir: string;

  const auth = `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`;
  async function rest<T>(method: string, path: string, body?: Record<string, string>) {
    const res = await fetch(`${api}${path}`, {
      method,
      headers: {
        authorization: auth,
        ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: body ? new URLSearchParams(body).toString() : undefined,
    });
    const json = (await res.json()) as T;
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  }

  beforeAll(async () => {
    db = await createTestDatabase('e2e_call');
    recordingsDir = await mkdtemp(join(tmpdir(), 'parley-e2e-recordings-'));
    // This file's own NATS namespace, passed to every service it starts.
    nats = await createTestNatsNamespace('e2e_call');
    nc = await connect({ servers: nats.url });
    bus = nats.bus(nc, { source: 'e2e/test' });

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
      // media writes recordings where call-control serves them from.
      RECORDINGS_DIR: recordingsDir,
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

    // Standing in for the interpreter and consent (not built yet), on their real subjects.
    bus.handle('twiml.v1.session.start', (request) => {
      sessions.push(request);
      return Promise.resolve({ accepted: true as const });
    });
    bus.handle('consent.v1.permission.check', () =>
      Promise.resolve(
        consentAllows
          ? { allowed: true, errorCode: null, reason: null }
          : { allowed: false, errorCode: 37000, reason: 'no permission' },
      ),
    );
    bus.subscribe('media.v1.dtmf.received', (e) => void digits.push(e));
    bus.subscribe('media.v1.play.finished', (e) => void plays.push(e));
    await bus.consumeDurable({
      stream: 'PARLEY_MEDIA',
      durable: `e2e-${Date.now()}`,
      subject: 'media.v1.recording.completed',
      startAt: 'new',
      handler: (e) => {
        recordings.push(e);
        return Promise.resolve();
      },
    });

    // Meta's side: the business number, with webhooks to call-control; a caller.
    const business = await simClient.createBusiness({
      displayPhoneNumber: BUSINESS_NUMBER,
      webhookUrl: `${api}/meta/webhooks`,
    });
    phoneNumberId = business.phoneNumberId;
    await simClient.createUser({
      waId: CALLER,
      behaviour: { onIncomingCall: 'answer', answerAfterMs: 300, speak: { toneHz: 660 } },
    });

    // The business's side: an application and the WhatsApp sender bound to the number.
    const app = await rest<{ sid: string }>(
      'POST',
      `/2010-04-01/Accounts/${ACCOUNT_SID}/Applications.json`,
      { FriendlyName: 'e2e', VoiceUrl: 'https://example.com/voice' },
    );
    const res = await fetch(`${api}/v2/Channels/Senders`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        sender_id: `whatsapp:+${BUSINESS_NUMBER}`,
        configuration: {
          waba_id: business.wabaId,
          phone_number_id: business.phoneNumberId,
          access_token: business.accessToken,
          app_secret: business.appSecret,
          voice_application_sid: app.sid,
        },
      }),
    });
    expect(res.status).toBe(201);
  }, 420_000);

  afterAll(async () => {
    for (const p of [...running, sim]) if (p && p.child.exitCode === null) p.child.kill('SIGTERM');
    await Promise.all([...running, sim].filter(Boolean).map((p) => p.exited));
    await nc?.drain();
    await nats?.drop();
    await db?.drop();
    if (recordingsDir) await rm(recordingsDir, { recursive: true, force: true });
  }, 30_000);

  it('a WhatsApp user calls in, hears a spoken prompt, presses keys, and the call completes', async () => {
    const { callId } = await simClient.userCall(CALLER, phoneNumberId);

    // call-control answered Meta's offer through media (pre_accept) and handed the call
    // to the interpreter with Twilio's parameters.
    const session = await until('the interpreter session', () =>
      sessions.find((s) => s.parameters.From === `whatsapp:+${CALLER}`),
    );
    const callSid = session.callSid;
    expect(session.parameters).toMatchObject({
      CallSid: callSid,
      AccountSid: ACCOUNT_SID,
      To: `whatsapp:+${BUSINESS_NUMBER}`,
      Direction: 'inbound',
      CallStatus: 'ringing',
      ApiVersion: '2010-04-01',
    });

    const accepted = await bus.request('calls.v1.call.accept', { callSid }, { timeoutMs: 10_000 });
    expect(accepted.status).toBe('in-progress');
    await simClient.waitForCall(callId, (c) => c.media.connected, 15_000);

    const playStartedAt = Date.now();
    await bus.request(
      'media.v1.play.start',
      {
        callSid,
        playId: 'welcome',
        source: { kind: 'say', text: 'Welcome to Parley. Please press four, two, and pound.' },
      },
      { timeoutMs: 10_000 },
    );
    const finished = await until('the prompt to finish', () =>
      plays.find((p) => p.playId === 'welcome'),
    );
    expect(finished.reason).toBe('completed');
    expect(finished.playedMs).toBeGreaterThan(1_500);
    const heard = await simClient.analyseCall(callId, {
      fromMs: 0,
      toMs: Date.now() - playStartedAt + 5_000,
    });
    // Speech reached the phone: seconds of voiced frames, not silence.
    expect(heard.speechLikeMs).toBeGreaterThan(1_000);

    await simClient.userSendDigits(callId, '42#');
    await until('three digits', () =>
      digits.filter((d) => d.callSid === callSid).length >= 3 ? true : undefined,
    );
    expect(digits.filter((d) => d.callSid === callSid).map((d) => d.digit)).toEqual([
      '4',
      '2',
      '#',
    ]);

    const hungUp = await bus.request('calls.v1.call.hangup', { callSid }, { timeoutMs: 10_000 });
    expect(hungUp.status).toBe('completed');
    const ended = await simClient.waitForCall(callId, (c) => c.status === 'ended');
    expect(ended.terminateStatus).toBe('COMPLETED');

    const call = await rest<{ status: string; direction: string; duration: string | null }>(
      'GET',
      `/2010-04-01/Accounts/${ACCOUNT_SID}/Calls/${callSid}.json`,
    );
    expect(call).toMatchObject({ status: 'completed', direction: 'inbound' });
    expect(Number(call.duration)).toBeGreaterThanOrEqual(1);
  }, 90_000);

  it('the business calls a user through the REST API with Record=true, hangs up, and serves the recording', async () => {
    await simClient.grantPermission(CALLER, phoneNumberId, { permanent: true });
    consentAllows = true;
    const created = await rest<{ sid: string; status: string }>(
      'POST',
      `/2010-04-01/Accounts/${ACCOUNT_SID}/Calls.json`,
      {
        From: `whatsapp:+${BUSINESS_NUMBER}`,
        To: `whatsapp:+${CALLER}`,
        Twiml: '<Response><Pause length="30"/></Response>',
        Record: 'true',
      },
    );
    const callSid = created.sid as CallSid;

    // Answered: the interpreter is asked to run the call's TwiML.
    const session = await until('the answered call', () =>
      sessions.find((s) => s.callSid === callSid),
    );
    expect(session.document).toMatchObject({ kind: 'twiml' });

    // Record=true: call-control asked media to record from the answer. Let the user speak.
    const recordingsPath = `/2010-04-01/Accounts/${ACCOUNT_SID}/Calls/${callSid}/Recordings.json`;
    const live = await until('the recording to start', async () => {
      const page = await rest<{ recordings: { sid: string; status: string }[] }>(
        'GET',
        recordingsPath,
      );
      return page.recordings[0];
    });
    expect(live.status).toBe('in-progress');
    await new Promise((resolve) => setTimeout(resolve, 2_000));

    await rest('POST', `/2010-04-01/Accounts/${ACCOUNT_SID}/Calls/${callSid}.json`, {
      Status: 'completed',
    });
    const call = await until('the call to complete', async () => {
      const c = await rest<{ status: string; duration: string | null }>(
        'GET',
        `/2010-04-01/Accounts/${ACCOUNT_SID}/Calls/${callSid}.json`,
      );
      return c.status === 'completed' ? c : undefined;
    });
    expect(Number(call.duration)).toBeGreaterThanOrEqual(1);

    // The hangup ended the recording; media stored it and call-control serves it.
    const recording = await until('the recording to complete', async () => {
      const page = await rest<{
        recordings: { sid: string; status: string; duration: string; source: string }[];
      }>('GET', recordingsPath);
      return page.recordings[0]?.status === 'completed' ? page.recordings[0] : undefined;
    });
    expect(recording).toMatchObject({ sid: live.sid, source: 'OutboundAPI' });
    expect(Number(recording.duration)).toBeGreaterThanOrEqual(1);
    // This test's own durable consumer may hear of it after call-control did: wait for it.
    const completed = await until('media.v1.recording.completed', () =>
      recordings.find((r) => r.recordingSid === live.sid),
    );
    expect(completed).toMatchObject({
      reason: 'hangup',
      channels: 1,
    });
    const media = await fetch(
      `${api}/2010-04-01/Accounts/${ACCOUNT_SID}/Recordings/${live.sid}.wav`,
      { headers: { authorization: auth } },
    );
    expect(media.status).toBe(200);
    const wav = decodeWav(Buffer.from(await media.arrayBuffer()));
    // The user's 660 Hz tone crossed WebRTC, rtpengine and mediasoup into the recording.
    const frequency = dominantFrequency(wav.samples, { sampleRate: wav.sampleRate });
    expect(Math.abs((frequency ?? 0) - 660)).toBeLessThan(15);
    expect(Number(call.duration)).toBeGreaterThanOrEqual(1);
  }, 90_000);

  it('refuses a business-initiated call without permission and sends nothing to Meta', async () => {
    consentAllows = false;
    const before = (await simClient.listGraphRequests({ edge: 'calls' })).length;
    const res = await fetch(`${api}/2010-04-01/Accounts/${ACCOUNT_SID}/Calls.json`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        From: `whatsapp:+${BUSINESS_NUMBER}`,
        To: `whatsapp:+${CALLER}`,
        Twiml: '<Response><Hangup/></Response>',
      }).toString(),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 37000, status: 400 });
    expect((await simClient.listGraphRequests({ edge: 'calls' })).length).toBe(before);
  });
});

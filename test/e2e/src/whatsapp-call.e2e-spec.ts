import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type NatsBus, type CallSid, type RecordingCompletedV1 } from '@parley/contracts';
import { type MetaSimClient, decodeWav, dominantFrequency, generateTone } from '@parley/meta-sim';
import { connect, type NatsConnection } from 'nats';
import { Client } from 'pg';
import { WebSocketServer, type WebSocket } from 'ws';
import { linearToMuLaw, muLawToLinear } from './mulaw';
import { Stack, until } from './stack';
import { toneWav, twiml, TwimlApp, type AppRequest } from './twiml-app';

const ACCOUNT_SID = 'AC0e2e0000000000000000000000000001';
const AUTH_TOKEN = '0e2e0000000000000000000000000001';
const BUSINESS_NUMBER = '15550100001';
const CALLER = '15550100002';
/** A user who never granted the business permission. */
const STRANGER = '15550100003';

/**
 * A WhatsApp call through the real system: the simulator (Meta's side, real WebRTC users)
 * and the services run as processes, rtpengine and mediasoup carry the audio, and the
 * interpreter runs the TwiML a test web app serves (every request signature-checked with
 * the official `twilio` package). The consent service keeps the call-permission ledger:
 * a business-initiated call needs the user's permission, granted through Meta's webhook.
 */
describe('A WhatsApp call through every service', () => {
  let stack: Stack;
  let nc: NatsConnection;
  let bus: NatsBus;
  let simClient: MetaSimClient;
  let phoneNumberId: string;
  const app = new TwimlApp(AUTH_TOKEN);
  const recordings: RecordingCompletedV1[] = [];
  let recordingsDir: string;

  const rest = <T>(method: string, path: string, body?: Record<string, string>) =>
    stack.restOk<T>(method, path, body);

  beforeAll(async () => {
    recordingsDir = await mkdtemp(join(tmpdir(), 'parley-e2e-recordings-'));
    await app.start();
    stack = await Stack.start({
      name: 'call',
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      services: ['call-control', 'media', 'twiml-interpreter', 'consent'],
      // media writes recordings where call-control serves them from.
      env: { RECORDINGS_DIR: recordingsDir },
    });
    simClient = stack.simClient;
    nc = await connect({ servers: stack.nats.url });
    bus = stack.nats.bus(nc, { source: 'e2e/test' });

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

    // Meta's side: the business number, with webhooks to call-control, bound to the
    // business's application as its WhatsApp sender; a caller.
    const sender = await stack.sender({
      number: BUSINESS_NUMBER,
      voiceUrl: `${app.url}/voice`,
      application: {
        VoiceMethod: 'POST',
        VoiceFallbackUrl: `${app.url}/fallback`,
        VoiceFallbackMethod: 'POST',
      },
    });
    phoneNumberId = sender.phoneNumberId;
    await simClient.createUser({
      waId: CALLER,
      behaviour: { onIncomingCall: 'answer', answerAfterMs: 300, speak: { toneHz: 660 } },
    });
  }, 420_000);

  afterAll(async () => {
    await nc?.drain();
    await stack?.stop();
    if (recordingsDir) await rm(recordingsDir, { recursive: true, force: true });
    await app.stop();
  }, 30_000);

  beforeEach(() => {
    app.routes.clear();
    app.requests.length = 0;
  });

  afterEach(() => {
    // Whatever a scenario did, every TwiML request the app received carried a valid
    // signature (audio for <Play> is fetched unsigned, as Twilio fetches it).
    expect(app.requests.filter((r) => !r.validSignature && !r.path.endsWith('.wav'))).toEqual([]);
  });

  /** The app's requests for the call the simulated user placed. */
  function callRequests(path: string): AppRequest[] {
    return app.requests.filter((r) => r.path === path && r.params.From === `whatsapp:+${CALLER}`);
  }

  async function callStatus(callSid: string) {
    return rest<{ status: string; duration: string | null }>(
      'GET',
      `/2010-04-01/Accounts/${ACCOUNT_SID}/Calls/${callSid}.json`,
    );
  }

  async function sessionRow(callSid: string) {
    const client = new Client({ connectionString: stack.db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{
        state: string;
        error_code: number | null;
        ended_reason: string | null;
      }>(
        'SELECT state, error_code, ended_reason FROM twiml_interpreter.call_sessions WHERE call_sid = $1',
        [callSid],
      );
      return rows[0];
    } finally {
      await client.end();
    }
  }

  it('runs an IVR: the caller hears the menu, presses a key, the app gets it, redirects and hangs up', async () => {
    app.routes.set('/voice', () =>
      twiml(
        '<Response><Gather action="/menu" numDigits="1" timeout="15">' +
          '<Play loop="10">/tone.wav</Play></Gather>' +
          '<Say>We did not get a key.</Say></Response>',
      ),
    );
    app.routes.set('/tone.wav', () => ({ contentType: 'audio/wav', body: toneWav(440, 1) }));
    app.routes.set('/menu', () =>
      twiml(
        '<Response><Say>You chose seven. Goodbye.</Say><Redirect method="GET">/bye</Redirect></Response>',
      ),
    );
    app.routes.set('/bye', () => twiml('<Response><Hangup/></Response>'));

    const { callId } = await simClient.userCall(CALLER, phoneNumberId);
    const [voice] = await until('the VoiceUrl request', () =>
      callRequests('/voice').length > 0 ? callRequests('/voice') : undefined,
    );
    const callSid = voice!.params.CallSid!;
    expect(voice!.params).toMatchObject({
      AccountSid: ACCOUNT_SID,
      To: `whatsapp:+${BUSINESS_NUMBER}`,
      Direction: 'inbound',
      CallStatus: 'ringing',
      ApiVersion: '2010-04-01',
    });

    // Gather answered the call and plays the menu tone: the user hears 440 Hz.
    await simClient.waitForCall(callId, (c) => c.media.connected, 15_000);
    const heard = await until('the caller to hear the menu tone', async () => {
      const analysis = await simClient.analyseCall(callId);
      const f = analysis.dominantFrequencyHz;
      return f !== null && Math.abs(f - 440) < 20 ? analysis : undefined;
    });
    expect(heard.levelDbfs).toBeGreaterThan(-40);

    await simClient.userSendDigits(callId, '7');
    const [menu] = await until('the Gather action', () =>
      callRequests('/menu').length > 0 ? callRequests('/menu') : undefined,
    );
    expect(menu).toMatchObject({
      method: 'POST',
      params: { CallSid: callSid, Digits: '7', CallStatus: 'in-progress' },
    });
    const [bye] = await until('the redirect', () =>
      callRequests('/bye').length > 0 ? callRequests('/bye') : undefined,
    );
    expect(bye).toMatchObject({ method: 'GET', params: { CallSid: callSid } });

    const ended = await simClient.waitForCall(callId, (c) => c.status === 'ended', 20_000);
    expect(ended.terminateStatus).toBe('COMPLETED');
    const call = await until('the call to complete', async () => {
      const c = await callStatus(callSid);
      return c.status === 'completed' ? c : undefined;
    });
    expect(Number(call.duration)).toBeGreaterThanOrEqual(1);
    const row = await until('the session to end', async () => {
      const r = await sessionRow(callSid);
      return r?.state === 'ended' ? r : undefined;
    });
    expect(row).toMatchObject({ ended_reason: 'hangup', error_code: null });
  }, 90_000);

  it('ends the session when the caller hangs up in the middle of a Gather', async () => {
    app.routes.set('/voice', () =>
      twiml(
        '<Response><Gather timeout="60"><Say loop="0">Please hold the line.</Say></Gather></Response>',
      ),
    );
    const { callId } = await simClient.userCall(CALLER, phoneNumberId);
    await simClient.waitForCall(
      callId,
      (c) => c.status === 'accepted' && c.media.connected,
      20_000,
    );
    const callSid = callRequests('/voice')[0]!.params.CallSid!;
    await simClient.userHangup(callId);
    const row = await until('the session to end', async () => {
      const r = await sessionRow(callSid);
      return r?.state === 'ended' ? r : undefined;
    });
    expect(row).toMatchObject({ ended_reason: 'caller-hangup', error_code: null });
    expect((await callStatus(callSid)).status).toBe('completed');
  }, 60_000);

  it('declines the call at Meta when the first verb is <Reject>', async () => {
    app.routes.set('/voice', () => twiml('<Response><Reject reason="busy"/></Response>'));
    const { callId } = await simClient.userCall(CALLER, phoneNumberId);
    const ended = await simClient.waitForCall(callId, (c) => c.status === 'ended', 20_000);
    expect(ended.answeredAt).toBeNull();
    const callSid = callRequests('/voice')[0]!.params.CallSid!;
    const call = await until('the call to end busy', async () => {
      const c = await callStatus(callSid);
      return c.status === 'busy' ? c : undefined;
    });
    expect(call.status).toBe('busy');
  }, 60_000);

  it('ends a call whose document is malformed with 12100, after asking the fallback URL', async () => {
    app.routes.set('/voice', () => twiml('<Response><Say>unclosed</Response>'));
    app.routes.set('/fallback', () => ({ status: 500, contentType: 'text/plain', body: 'down' }));
    const { callId } = await simClient.userCall(CALLER, phoneNumberId);
    const ended = await simClient.waitForCall(callId, (c) => c.status === 'ended', 30_000);
    expect(ended.answeredAt).toBeNull();
    const [fallback] = callRequests('/fallback');
    expect(fallback!.params).toMatchObject({ ErrorCode: '12100', ErrorUrl: `${app.url}/voice` });
    const callSid = fallback!.params.CallSid!;
    const row = await until('the session to end', async () => {
      const r = await sessionRow(callSid);
      return r?.state === 'ended' ? r : undefined;
    });
    expect(row).toMatchObject({ error_code: 12100, ended_reason: 'error' });
  }, 60_000);

  it('runs the fallback URL when the VoiceUrl answers 500', async () => {
    app.routes.set('/voice', () => ({ status: 500, contentType: 'text/plain', body: 'oops' }));
    app.routes.set('/fallback', () =>
      twiml('<Response><Say>Sorry, we are having trouble. Goodbye.</Say><Hangup/></Response>'),
    );
    const { callId } = await simClient.userCall(CALLER, phoneNumberId);
    const ended = await simClient.waitForCall(callId, (c) => c.status === 'ended', 30_000);
    expect(ended.terminateStatus).toBe('COMPLETED');
    const [fallback] = callRequests('/fallback');
    expect(fallback!.params).toMatchObject({ ErrorCode: '11200', ErrorUrl: `${app.url}/voice` });
    // The fallback's <Say> reached the phone: seconds of voiced audio.
    const heard = await simClient.analyseCall(callId);
    expect(heard.speechLikeMs).toBeGreaterThan(1_000);
  }, 60_000);

  it('the business calls a user through the REST API with Record=true, hangs up, and serves the recording', async () => {
    // The user grants permission at Meta: the reply webhook reaches consent through
    // call-control's durable event; the business waits until consent holds it.
    await simClient.grantPermission(CALLER, phoneNumberId, { permanent: true });
    await until('consent to record the permission', async () => {
      const p = await rest<{ status: string }>(
        'GET',
        `/2010-04-01/Accounts/${ACCOUNT_SID}/CallPermissions/${encodeURIComponent(`whatsapp:+${CALLER}`)}.json?From=${encodeURIComponent(`whatsapp:+${BUSINESS_NUMBER}`)}`,
      );
      return p.status === 'permanent' ? true : undefined;
    });
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

    // Answered: the interpreter runs the call's inline TwiML (a long pause).
    await until('the answered call', async () =>
      (await callStatus(callSid)).status === 'in-progress' ? true : undefined,
    );

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
      `${stack.api}/2010-04-01/Accounts/${ACCOUNT_SID}/Recordings/${live.sid}.wav`,
      { headers: { authorization: stack.authorization } },
    );
    expect(media.status).toBe(200);
    const wav = decodeWav(Buffer.from(await media.arrayBuffer()));
    // The user's 660 Hz tone crossed WebRTC, rtpengine and mediasoup into the recording.
    const frequency = dominantFrequency(wav.samples, { sampleRate: wav.sampleRate });
    expect(Math.abs((frequency ?? 0) - 660)).toBeLessThan(15);
    expect(Number(call.duration)).toBeGreaterThanOrEqual(1);
  }, 90_000);

  it('<Connect><Stream>: a voice agent hears the caller, answers, gets its mark back, hangs up, and the document goes on', async () => {
    // The business's voice agent: a real WebSocket server speaking Twilio's protocol.
    const agent = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => agent.once('listening', resolve));
    const agentUrl = `ws://127.0.0.1:${(agent.address() as { port: number }).port}/agent`;
    const messages: { event: string; [key: string]: unknown }[] = [];
    let socket: WebSocket | undefined;
    agent.on('connection', (ws) => {
      socket = ws;
      ws.on('message', (data: Buffer) => {
        messages.push(JSON.parse(data.toString('utf8')) as (typeof messages)[number]);
      });
    });
    const ofEvent = (event: string) => messages.filter((m) => m.event === event);
    try {
      app.routes.set('/voice', () =>
        twiml(
          `<Response><Connect><Stream url="${agentUrl}">` +
            '<Parameter name="customer" value="Jane"/></Stream></Connect>' +
            '<Redirect>/after-agent</Redirect></Response>',
        ),
      );
      app.routes.set('/after-agent', () => twiml('<Response><Hangup/></Response>'));

      const { callId } = await simClient.userCall(CALLER, phoneNumberId);
      const callSid = (await until('the VoiceUrl request', () => callRequests('/voice')[0])).params
        .CallSid!;
      const start = await until('the start message', () => ofEvent('start')[0]);
      expect(messages[0]).toEqual({ event: 'connected', protocol: 'Call', version: '1.0.0' });
      const streamSid = start.streamSid as string;
      expect(start).toMatchObject({
        sequenceNumber: '1',
        start: {
          accountSid: ACCOUNT_SID,
          callSid,
          streamSid,
          tracks: ['inbound'],
          customParameters: { customer: 'Jane' },
          mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
        },
      });

      // The caller's 660 Hz tone reaches the agent as 8 kHz mu-law.
      await until('a second of the caller', () =>
        ofEvent('media').length >= 60 ? true : undefined,
      );
      const fromCaller = Buffer.concat(
        ofEvent('media')
          .slice(-50)
          .map((m) => Buffer.from((m.media as { payload: string }).payload, 'base64')),
      );
      const callerPcm = Int16Array.from(fromCaller, (b) => muLawToLinear(b));
      expect(
        Math.abs((dominantFrequency(callerPcm, { sampleRate: 8000 }) ?? 0) - 660),
      ).toBeLessThan(10);

      // The agent answers with 1.5 s of 440 Hz and a mark: the caller hears 440 Hz and the
      // mark comes back once the audio was played.
      const sentAt = performance.now();
      const reply = Uint8Array.from(generateTone(440, 1500, { sampleRate: 8000 }), (s) =>
        linearToMuLaw(s),
      );
      for (let offset = 0; offset < reply.length; offset += 160) {
        const payload = Buffer.from(reply.subarray(offset, offset + 160)).toString('base64');
        socket!.send(JSON.stringify({ event: 'media', streamSid, media: { payload } }));
      }
      socket!.send(JSON.stringify({ event: 'mark', streamSid, mark: { name: 'greeting' } }));
      const mark = await until('the mark echoed', () => ofEvent('mark')[0]);
      const markMs = performance.now() - sentAt;
      expect(mark).toMatchObject({ streamSid, mark: { name: 'greeting' } });
      const heard = await until('the caller to hear the agent', async () => {
        const analysis = await simClient.analyseCall(callId);
        const f = analysis.dominantFrequencyHz;
        return f !== null && Math.abs(f - 440) < 20 ? analysis : undefined;
      });
      expect(heard.levelDbfs).toBeGreaterThan(-40);
      process.stdout.write(
        `media stream: 1500 ms of agent audio played, mark back after ${Math.round(markMs)} ms ` +
          `(${Math.round(markMs - 1500)} ms queueing, encoding and pacing in Parley)\n`,
      );

      // The agent hangs up: the document goes on with the next verb.
      socket!.close(1000);
      const [after] = await until('the next verb', () =>
        callRequests('/after-agent').length > 0 ? callRequests('/after-agent') : undefined,
      );
      expect(after!.params).toMatchObject({ CallSid: callSid, CallStatus: 'in-progress' });
      await simClient.waitForCall(callId, (c) => c.status === 'ended', 20_000);
      const row = await until('the session to end', async () => {
        const r = await sessionRow(callSid);
        return r?.state === 'ended' ? r : undefined;
      });
      expect(row).toMatchObject({ ended_reason: 'hangup', error_code: null });
    } finally {
      for (const client of agent.clients) client.terminate();
      await new Promise((resolve) => agent.close(resolve));
    }
  }, 90_000);

  it('refuses a business-initiated call without permission and sends nothing to Meta', async () => {
    await simClient.createUser({ waId: STRANGER });
    const before = (await simClient.listGraphRequests({ edge: 'calls' })).length;
    const res = await fetch(`${stack.api}/2010-04-01/Accounts/${ACCOUNT_SID}/Calls.json`, {
      method: 'POST',
      headers: {
        authorization: stack.authorization,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        From: `whatsapp:+${BUSINESS_NUMBER}`,
        To: `whatsapp:+${STRANGER}`,
        Twiml: '<Response><Hangup/></Response>',
      }).toString(),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      code: 37000,
      status: 400,
      message: expect.stringMatching(/^permission-required: /) as unknown,
    });
    expect((await simClient.listGraphRequests({ edge: 'calls' })).length).toBe(before);
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type MetaSimClient, type SimCall } from '@parley/meta-sim';
import { Stack, until } from './stack';
import { twiml, TwimlApp, type AppRequest } from './twiml-app';

const ACCOUNT_SID = 'AC0e2e0000000000000000000000000002';
const AUTH_TOKEN = '0e2e0000000000000000000000000002';
// Numbers libphonenumber-js knows as valid: `<Dial callerId>` and `<WhatsApp>` are checked.
const BUSINESS = '558551234567';
const CALLER = '5511987654321';
const AGENT = '555551234567';
const AWAY = '5511987654322';
const PUBLIC_URL = 'https://parley.example.com';
const CALLER_TONE = 660;
const AGENT_TONE = 880;

const near = (hz: number | null, target: number) => hz !== null && Math.abs(hz - target) < 20;

/**
 * `<Dial><WhatsApp>` through the real system: a simulated WhatsApp user calls the business,
 * the TwiML dials a second simulated user from the business's sender, and the two talk
 * through rtpengine and mediasoup. The services run as processes with the simulator, and
 * the test's TwiML app checks every request with `twilio.validateRequest`. Permission
 * checks are answered by this test on consent's subject, as whatsapp-call.e2e-spec does.
 */
describe('<Dial><WhatsApp> and hang-ups from a WhatsApp call', () => {
  let stack: Stack;
  let simClient: MetaSimClient;
  let phoneNumberId: string;
  const app = new TwimlApp(AUTH_TOKEN);
  let recordingsDir: string;

  beforeAll(async () => {
    recordingsDir = await mkdtemp(join(tmpdir(), 'parley-e2e-dial-'));
    await app.start();
    stack = await Stack.start({
      name: 'dial',
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      services: ['call-control', 'media', 'twiml-interpreter', 'webhook-dispatch', 'consent'],
      env: {
        RECORDINGS_DIR: recordingsDir,
        // Recording URLs (`RecordingUrl`) are built on it; nothing fetches them here.
        PARLEY_PUBLIC_URL: PUBLIC_URL,
      },
    });
    simClient = stack.simClient;
    const sender = await stack.sender({ number: BUSINESS, voiceUrl: `${app.url}/voice` });
    phoneNumberId = sender.phoneNumberId;
    await simClient.createUser({
      waId: CALLER,
      behaviour: { speak: { toneHz: CALLER_TONE } },
    });
    await simClient.createUser({
      waId: AGENT,
      behaviour: { onIncomingCall: 'answer', answerAfterMs: 1_500, speak: { toneHz: AGENT_TONE } },
    });
    await simClient.createUser({ waId: AWAY, behaviour: { onIncomingCall: 'ignore' } });

    // WhatsApp's rule: the business may call only users who granted permission. The
    // simulated users accept (Meta's call_permission_reply webhook), and consent records it.
    for (const user of [AGENT, AWAY]) await stack.grantPermission(sender, user);
  }, 420_000);

  afterAll(async () => {
    await stack?.stop();
    if (recordingsDir) await rm(recordingsDir, { recursive: true, force: true });
    await app.stop();
  }, 30_000);

  beforeEach(() => {
    app.routes.clear();
    app.requests.length = 0;
  });

  afterEach(() => {
    expect(app.requests.filter((r) => !r.validSignature)).toEqual([]);
  });

  function requestsTo(path: string): AppRequest[] {
    return app.requests.filter((r) => r.path === path);
  }

  /** Meta's side of the next business-initiated call to `waId` (each test places new ones). */
  const seenCalls = new Set<string>();
  async function businessCallTo(waId: string): Promise<SimCall> {
    const call = await until(`Meta to place the call to ${waId}`, async () => {
      const calls = await simClient.listCalls({ waId, direction: 'BUSINESS_INITIATED' });
      return calls.find((c) => !seenCalls.has(c.id));
    });
    seenCalls.add(call.id);
    return call;
  }

  it('connects the caller to a second WhatsApp user: both hear each other, the action gets completed with a duration', async () => {
    app.routes.set('/voice', () =>
      twiml(
        `<Response><Dial callerId="whatsapp:+${BUSINESS}" action="/dialed" timeout="20"` +
          ' record="record-from-answer-dual" recordingStatusCallback="/rec-status">' +
          `<WhatsApp statusCallback="/child-status" statusCallbackEvent="initiated ringing answered completed">+${AGENT}</WhatsApp>` +
          '</Dial><Say>never reached</Say></Response>',
      ),
    );
    app.routes.set('/dialed', () => twiml('<Response><Hangup/></Response>'));
    app.routes.set('/child-status', () => ({ contentType: 'text/plain', body: '' }));
    app.routes.set('/rec-status', () => ({ contentType: 'text/plain', body: '' }));

    const { callId } = await simClient.userCall(CALLER, phoneNumberId);
    const voice = await until('the VoiceUrl request', () => requestsTo('/voice')[0]);
    const parentSid = voice.params.CallSid!;

    // The caller is answered at once (no answerOnBridge) and hears ringback meanwhile.
    await simClient.waitForCall(
      callId,
      (c) => c.status === 'accepted' && c.media.connected,
      20_000,
    );
    const agentCall = await businessCallTo(AGENT);
    expect(agentCall.from).toBe(BUSINESS);

    // Answered after 1.5 s, then bridged: each hears the other's tone.
    await simClient.waitForCall(agentCall.id, (c) => c.status === 'accepted', 20_000);
    await until('the caller to hear the agent', async () =>
      near((await simClient.analyseCall(callId)).dominantFrequencyHz, AGENT_TONE)
        ? true
        : undefined,
    );
    await until('the agent to hear the caller', async () =>
      near((await simClient.analyseCall(agentCall.id)).dominantFrequencyHz, CALLER_TONE)
        ? true
        : undefined,
    );
    const callerHears = await simClient.analyseCall(callId);
    expect(callerHears.levelDbfs).toBeGreaterThan(-40);

    // The agent hangs up: the dial is over, the caller's call goes on to the action.
    await simClient.userHangup(agentCall.id);
    const dialed = await until('the Dial action', () => requestsTo('/dialed')[0]);
    expect(dialed.params).toMatchObject({
      CallSid: parentSid,
      DialCallStatus: 'completed',
      DialBridged: 'true',
      CallStatus: 'in-progress',
    });
    const childSid = dialed.params.DialCallSid!;
    expect(dialed.params.RecordingUrl).toMatch(
      new RegExp(`^${PUBLIC_URL}/2010-04-01/Accounts/${ACCOUNT_SID}/Recordings/RE[0-9a-f]{32}$`),
    );
    expect(childSid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(Number(dialed.params.DialCallDuration)).toBeGreaterThanOrEqual(1);
    expect(requestsTo('/voice')).toHaveLength(1);

    // The action's <Hangup> ends the caller's call.
    const ended = await simClient.waitForCall(callId, (c) => c.status === 'ended', 20_000);
    expect(ended.terminateStatus).toBe('COMPLETED');

    // The noun's statusCallback got the child's progress, Twilio's way.
    const statuses = await until('the child status callbacks', () => {
      const got = requestsTo('/child-status');
      return got.some((r) => r.params.CallStatus === 'completed') ? got : undefined;
    });
    expect(statuses.map((r) => r.params.CallStatus)).toEqual([
      'initiated',
      'ringing',
      'in-progress',
      'completed',
    ]);
    for (const r of statuses) {
      expect(r.params).toMatchObject({
        CallSid: childSid,
        ParentCallSid: parentSid,
        Direction: 'outbound-dial',
        CallbackSource: 'call-progress-events',
      });
    }

    // record-from-answer-dual: a Recording of the parent call, both legs on two channels.
    const recorded = await until(
      'the recording status callback',
      () => requestsTo('/rec-status')[0],
    );
    expect(recorded.params).toMatchObject({
      CallSid: parentSid,
      RecordingStatus: 'completed',
      RecordingSource: 'DialVerb',
      RecordingChannels: '2',
    });
    expect(Number(recorded.params.RecordingDuration)).toBeGreaterThanOrEqual(1);
  }, 120_000);

  it('a user who does not answer: the caller hears ringback, the action gets no-answer after timeout', async () => {
    app.routes.set('/voice', () =>
      twiml(
        `<Response><Dial callerId="whatsapp:+${BUSINESS}" action="/dialed" timeout="5">` +
          `<WhatsApp>+${AWAY}</WhatsApp></Dial></Response>`,
      ),
    );
    app.routes.set('/dialed', () => twiml('<Response><Hangup/></Response>'));

    const { callId } = await simClient.userCall(CALLER, phoneNumberId);
    await simClient.waitForCall(
      callId,
      (c) => c.status === 'accepted' && c.media.connected,
      20_000,
    );
    const awayCall = await businessCallTo(AWAY);
    // US ringback (440 + 480 Hz) while the user's phone rings.
    await until('the caller to hear ringback', async () => {
      const heard = await simClient.analyseCall(callId);
      return heard.levelDbfs > -40 &&
        (near(heard.dominantFrequencyHz, 440) || near(heard.dominantFrequencyHz, 480))
        ? true
        : undefined;
    });

    const dialed = await until('the Dial action', () => requestsTo('/dialed')[0]);
    expect(dialed.params).toMatchObject({ DialCallStatus: 'no-answer', DialBridged: 'false' });
    expect(dialed.params.DialCallSid).toMatch(/^CA[0-9a-f]{32}$/);
    // Meta was told to stop ringing the user.
    const away = await simClient.waitForCall(awayCall.id, (c) => c.status === 'ended', 20_000);
    expect(away.answeredAt).toBeNull();
    await simClient.waitForCall(callId, (c) => c.status === 'ended', 20_000);
  }, 90_000);

  it('answerOnBridge with a whisper: the caller rings until the agent heard the whisper, then both talk; the caller hanging up ends the agent too', async () => {
    app.routes.set('/voice', () =>
      twiml(
        `<Response><Dial callerId="whatsapp:+${BUSINESS}" answerOnBridge="true" action="/dialed">` +
          `<WhatsApp url="/whisper" method="GET">+${AGENT}</WhatsApp></Dial></Response>`,
      ),
    );
    app.routes.set('/whisper', () =>
      twiml('<Response><Say>You have a call from a customer.</Say></Response>'),
    );
    app.routes.set('/dialed', () => twiml('<Response><Say>ignored</Say></Response>'));

    const { callId } = await simClient.userCall(CALLER, phoneNumberId);
    const agentCall = await businessCallTo(AGENT);
    await simClient.waitForCall(agentCall.id, (c) => c.status === 'accepted', 20_000);
    const whisper = await until('the whisper request', () => requestsTo('/whisper')[0]);
    const parentSid = requestsTo('/voice')[0]!.params.CallSid!;
    // The whisper URL gets the child's own parameters.
    expect(whisper).toMatchObject({
      method: 'GET',
      params: { ParentCallSid: parentSid, Direction: 'outbound-dial', To: `whatsapp:+${AGENT}` },
    });
    // The agent hears the whisper while the caller's call is still not accepted.
    await until('the agent to hear the whisper', async () =>
      (await simClient.analyseCall(agentCall.id)).speechLikeMs > 500 ? true : undefined,
    );
    expect((await simClient.getCall(callId)).answeredAt).toBeNull();

    // Then the caller is answered and bridged.
    await simClient.waitForCall(callId, (c) => c.status === 'accepted', 20_000);
    await until('the caller to hear the agent', async () =>
      near((await simClient.analyseCall(callId)).dominantFrequencyHz, AGENT_TONE)
        ? true
        : undefined,
    );
    await until('the agent to hear the caller', async () =>
      near((await simClient.analyseCall(agentCall.id)).dominantFrequencyHz, CALLER_TONE)
        ? true
        : undefined,
    );

    // The caller hangs up: the agent's call ends, and the action hears how the dial ended.
    await simClient.userHangup(callId);
    const agentEnded = await simClient.waitForCall(
      agentCall.id,
      (c) => c.status === 'ended',
      20_000,
    );
    expect(agentEnded.endReason).toBe('business_terminate');
    const dialed = await until('the Dial action after the hang-up', () => requestsTo('/dialed')[0]);
    expect(dialed.params).toMatchObject({
      CallSid: parentSid,
      DialCallStatus: 'completed',
      DialBridged: 'true',
      CallStatus: 'completed',
    });
  }, 120_000);

  it('the caller hanging up while the user rings cancels the child at Meta', async () => {
    app.routes.set('/voice', () =>
      twiml(
        `<Response><Dial callerId="whatsapp:+${BUSINESS}" action="/dialed" timeout="60">` +
          `<WhatsApp>+${AWAY}</WhatsApp></Dial></Response>`,
      ),
    );
    app.routes.set('/dialed', () => twiml('<Response/>'));
    const { callId } = await simClient.userCall(CALLER, phoneNumberId);
    const awayCall = await businessCallTo(AWAY);
    await simClient.waitForCall(callId, (c) => c.status === 'accepted', 20_000);
    await simClient.userHangup(callId);
    const away = await simClient.waitForCall(awayCall.id, (c) => c.status === 'ended', 20_000);
    expect(away.answeredAt).toBeNull();
    const dialed = await until('the Dial action after the hang-up', () => requestsTo('/dialed')[0]);
    expect(dialed.params).toMatchObject({ DialCallStatus: 'canceled', DialBridged: 'false' });
  }, 90_000);

  it.each([
    {
      rule: 'hangupOnStar: the caller pressing * hangs up the agent and the document goes on',
      attributes: 'hangupOnStar="true"',
      // Parley acts on the key's first RFC 4733 packets: the dial, then the call (the
      // document hangs up), may end while the simulator still sends the key's last
      // packets, which it reports as an error. What counts is asserted below.
      end: (callId: string) =>
        simClient.userSendDigits(callId, '*').catch((error: unknown) => {
          if (!String(error).includes('call ended before the digits were sent')) throw error;
        }),
    },
    {
      rule: 'timeLimit: the agent is hung up when the dial reaches its limit',
      attributes: 'timeLimit="3"',
      end: () => Promise.resolve(),
    },
  ])(
    '$rule',
    async ({ attributes, end }) => {
      app.routes.set('/voice', () =>
        twiml(
          `<Response><Dial callerId="whatsapp:+${BUSINESS}" ${attributes}>` +
            `<WhatsApp>+${AGENT}</WhatsApp></Dial><Redirect>/after</Redirect></Response>`,
        ),
      );
      app.routes.set('/after', () => twiml('<Response><Hangup/></Response>'));
      const { callId } = await simClient.userCall(CALLER, phoneNumberId);
      const agentCall = await businessCallTo(AGENT);
      await until('the caller to hear the agent', async () =>
        near((await simClient.analyseCall(callId)).dominantFrequencyHz, AGENT_TONE)
          ? true
          : undefined,
      );
      await end(callId);
      // The agent's call ends at Meta; the caller's goes on after the Dial (no action).
      const agentEnded = await simClient.waitForCall(
        agentCall.id,
        (c) => c.status === 'ended',
        20_000,
      );
      expect(agentEnded.endReason).toBe('business_terminate');
      const after = await until(
        'the document to go on after the Dial',
        () => requestsTo('/after')[0],
      );
      expect(after.params.CallStatus).toBe('in-progress');
      await simClient.waitForCall(callId, (c) => c.status === 'ended', 20_000);
    },
    90_000,
  );

  it('<Record>: the caller hanging up keeps the recording, and the action gets it with Digits=hangup', async () => {
    app.routes.set('/voice', () =>
      twiml('<Response><Record action="/recorded" maxLength="60" timeout="30"/></Response>'),
    );
    app.routes.set('/recorded', () => twiml('<Response><Say>ignored</Say></Response>'));
    const { callId } = await simClient.userCall(CALLER, phoneNumberId);
    const accepted = await simClient.waitForCall(
      callId,
      (c) => c.status === 'accepted' && c.media.connected,
      20_000,
    );
    // Two seconds of the caller's tone reach the recorder, then the caller hangs up.
    await simClient.waitForCall(
      callId,
      (c) => c.media.packetsSent >= accepted.media.packetsSent + 100,
      20_000,
    );
    await simClient.userHangup(callId);
    const recorded = await until(
      'the Record action after the hang-up',
      () => requestsTo('/recorded')[0],
    );
    expect(recorded.params).toMatchObject({
      CallSid: requestsTo('/voice')[0]!.params.CallSid,
      Digits: 'hangup',
      CallStatus: 'completed',
    });
    expect(recorded.params.RecordingUrl).toMatch(
      new RegExp(`^${PUBLIC_URL}/2010-04-01/Accounts/${ACCOUNT_SID}/Recordings/RE[0-9a-f]{32}$`),
    );
    expect(Number(recorded.params.RecordingDuration)).toBeGreaterThanOrEqual(1);
  }, 90_000);
});

import { mkdtemp, rm } from 'node:fs/promises';
import { type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIvrServer, provisionDemo } from '@parley/example-ivr';
import { decodeWav, HEARD_DBFS, runDemoCall } from '@parley/meta-sim';
import { type Sender, Stack, until } from './stack';

const ACCOUNT_SID = 'AC0e2e0000000000000000000000000014';
const AUTH_TOKEN = '0e2e0000000000000000000000000014';
// The demo's numbers (test/meta-sim/examples/demo-config.json): fictional +1 555 01xx.
const BUSINESS = '15550100001';
const CALLER = '15550100002';
const AGENT = '15550100004';
const CALLER_TONE = 440;
const AGENT_TONE = 880;

const near = (hz: number | null, target: number) => hz !== null && Math.abs(hz - target) < 20;

/**
 * The newcomer demo of the README, end to end: the example IVR (examples/ivr) provisioned
 * with its own script as the sender's voice application, the simulated caller driven by the
 * same `runDemoCall` as `./dev demo-call`, and what the caller heard measured. The services
 * run as processes with the default `valid` number check replaced by `possible`, as
 * `./dev start` does with the simulator.
 */
describe('the newcomer demo: ./dev demo-call against the example IVR', () => {
  let stack: Stack;
  let server: Server;
  const log: string[] = [];
  const ivr = {
    authToken: AUTH_TOKEN,
    publicUrl: '',
    transferTo: `whatsapp:+${AGENT}`,
    log: (line: string) => log.push(line),
  };
  let phoneNumberId: string;
  let recordingsDir: string;

  beforeAll(async () => {
    recordingsDir = await mkdtemp(join(tmpdir(), 'parley-e2e-demo-'));
    server = createIvrServer(ivr);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    ivr.publicUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    stack = await Stack.start({
      name: 'demo',
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      services: ['call-control', 'media', 'twiml-interpreter', 'webhook-dispatch', 'consent'],
      env: {
        RECORDINGS_DIR: recordingsDir,
        // `RecordingUrl` is built on it (./dev start: call-control's own URL).
        PARLEY_PUBLIC_URL: 'https://parley.example.com',
      },
      // Meta's 20 s no-media watchdog is not under test here, and on a machine with both
      // cores busy the simulator's own event loop can lag past it (seen: media_timeout
      // while Parley's media logged only sub-second stalls).
      simulatorEnv: { META_SIM_MEDIA_TIMEOUT_MS: '600000' },
    });
    const sender: Sender = await stack.sender({ number: BUSINESS });
    phoneNumberId = sender.phoneNumberId;
    const provisioned = await provisionDemo({
      apiUrl: stack.api,
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      voiceUrl: `${ivr.publicUrl}/voice`,
      senderId: `whatsapp:+${BUSINESS}`,
    });
    expect(provisioned.changes).toHaveLength(2);
    // Idempotent, as `./dev start` runs it on every start.
    expect(
      (
        await provisionDemo({
          apiUrl: stack.api,
          accountSid: ACCOUNT_SID,
          authToken: AUTH_TOKEN,
          voiceUrl: `${ivr.publicUrl}/voice`,
          senderId: `whatsapp:+${BUSINESS}`,
        })
      ).changes,
    ).toEqual([]);
    await stack.simClient.createUser({
      waId: CALLER,
      behaviour: { speak: { toneHz: CALLER_TONE } },
    });
    await stack.simClient.createUser({
      waId: AGENT,
      behaviour: { onIncomingCall: 'answer', answerAfterMs: 1_500, speak: { toneHz: AGENT_TONE } },
    });
    await stack.grantPermission(sender, AGENT);
  }, 420_000);

  afterAll(async () => {
    await stack?.stop();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    if (recordingsDir) await rm(recordingsDir, { recursive: true, force: true });
  }, 30_000);

  afterEach(() => {
    // Every request Parley made carried a valid X-Twilio-Signature.
    expect(log.filter((line) => line.startsWith('refused'))).toEqual([]);
    log.length = 0;
  });

  /** The demo call; when it fails, what the IVR and the services said goes with the error. */
  async function demoCall(press: string) {
    try {
      return await runDemoCall(stack.simClient, options(press));
    } catch (error) {
      const said = [...stack.processes.values()]
        .map((p) => `--- ${p.name}\n${p.output().slice(-4_000)}`)
        .join('\n');
      throw new Error(
        `${error instanceof Error ? error.message : String(error)}\n--- IVR\n${log.join('\n')}\n${said}`,
      );
    }
  }

  const options = (press: string) => ({
    fromUser: CALLER,
    toBusiness: phoneNumberId,
    press,
    listenMs: 3_000,
    timeoutMs: 90_000,
  });

  it('2: the caller hears the greeting, then the agent the IVR transferred them to', async () => {
    const report = await demoCall('2');
    // The greeting and the menu (speech, well above silence) before the key.
    expect(report.beforePress.levelDbfs).toBeGreaterThan(HEARD_DBFS);
    expect(report.beforePress.speechLikeMs).toBeGreaterThan(2_000);
    // After it, the second WhatsApp user, bridged: their tone.
    expect(report.transfer).toMatchObject({ to: AGENT, status: 'ended' });
    expect(near(report.afterPress.dominantFrequencyHz, AGENT_TONE)).toBe(true);
    // The WAV is what the caller heard, mono 48 kHz.
    const wav = decodeWav(report.wav);
    expect(wav.sampleRate).toBe(48_000);
    expect(wav.samples.length / wav.sampleRate).toBeGreaterThan(5);
    const callSid = (
      await until('the IVR to greet', () =>
        log.find((l) => l.endsWith(`greeting (from whatsapp:+${CALLER} to whatsapp:+${BUSINESS})`)),
      )
    ).split(' ')[0];
    await until('the IVR to hear the key', () => log.find((l) => l === `${callSid} pressed 2`));
    await until('the transfer to end', () =>
      log.find((l) => l === `${callSid} transfer ended: completed`),
    );
  });

  it('1: the record prompt and beep are heard, and the message is recorded', async () => {
    const report = await demoCall('1');
    expect(report.beforePress.levelDbfs).toBeGreaterThan(HEARD_DBFS);
    expect(report.afterPress.speechLikeMs).toBeGreaterThan(1_000);
    expect(report.transfer).toBeNull();
    const recorded = await until('the IVR to receive the recording', () =>
      log.find((l) => l.includes('message recorded:')),
    );
    expect(recorded).toMatch(
      /message recorded: https:\/\/parley\.example\.com\/.*\/Recordings\/RE[0-9a-f]{32} \(\d+ s\)$/,
    );
  });

  it('refuses to run a request that is not signed with the account token (401)', async () => {
    const res = await fetch(`${ivr.publicUrl}/voice`, { method: 'POST', body: 'CallSid=CA1' });
    expect(res.status).toBe(401);
    expect(log).toEqual(['refused POST /voice: missing or invalid X-Twilio-Signature']);
    log.length = 0;
  });
});

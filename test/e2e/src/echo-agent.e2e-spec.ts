import { decodeWav } from '@parley/meta-sim';
import {
  decodeMulaw,
  type EchoAgent,
  makeGreeting,
  startEchoAgent,
} from '@parley/example-echo-agent';
import { Stack, until } from './stack';
import { twiml, TwimlApp } from './twiml-app';

const ACCOUNT_SID = 'AC0e2e0000000000000000000000000005';
const AUTH_TOKEN = '0e2e0000000000000000000000000005';
const BUSINESS_NUMBER = '15550500001';
const CALLER = '15550500002';
/** How long the echo agent holds what it hears (its own delay, not Parley's). */
const ECHO_DELAY_MS = 1000;
/** The caller's tone: inside 8 kHz mu-law's band, away from the greeting chime's. */
const TONE_HZ = 1500;

/** Power of `hz` in a window, relative to the window's whole power (Goertzel). */
function toneShare(samples: Int16Array, rate: number, hz: number): number {
  const k = 2 * Math.cos((2 * Math.PI * hz) / rate);
  let s1 = 0;
  let s2 = 0;
  let total = 0;
  for (const x of samples) {
    const s0 = x + k * s1 - s2;
    s2 = s1;
    s1 = s0;
    total += x * x;
  }
  if (total === 0) return 0;
  const power = s1 * s1 + s2 * s2 - k * s1 * s2;
  return (2 * power) / (samples.length * total);
}

/** Sample index where `hz` starts and stays for 100 ms in a recording, or null. */
function onsetOf(samples: Int16Array, rate: number, hz: number): number | null {
  const window = Math.round(rate / 100); // 10 ms
  let run = 0;
  for (let start = 0; start + window <= samples.length; start += window) {
    const w = samples.subarray(start, start + window);
    const rms = Math.sqrt(w.reduce((a, s) => a + s * s, 0) / w.length);
    if (rms > 300 && toneShare(w, rate, hz) > 0.6) {
      run++;
      if (run === 10) return start - 9 * window;
    } else {
      run = 0;
    }
  }
  return null;
}

/**
 * The example echo agent (`examples/echo-agent`) behind `<Connect><Stream>`, with every
 * service and the simulator: the caller hears the greeting, says a tone, and hears it
 * back. The added latency (both ways through Parley, minus the agent's own hold) is
 * printed, never asserted.
 */
describe('the echo agent answers a WhatsApp call', () => {
  let stack: Stack;
  let agent: EchoAgent;
  let greetingSource = '';
  let phoneNumberId = '';
  /** When the agent first heard the caller's tone, and first said it back. */
  const tap: { heard: number | null; said: number | null } = { heard: null, said: null };
  const isTone = (frame: Buffer) => {
    const pcm = decodeMulaw(frame);
    const rms = Math.sqrt(pcm.reduce((a, x) => a + x * x, 0) / pcm.length);
    return rms > 300 && toneShare(pcm, 8000, TONE_HZ) > 0.6;
  };
  const app = new TwimlApp(AUTH_TOKEN);

  beforeAll(async () => {
    const greeting = await makeGreeting('Hello.');
    greetingSource = greeting.source;
    agent = await startEchoAgent({
      greeting: greeting.audio,
      delayMs: ECHO_DELAY_MS,
      onAudio: (direction, frame) => {
        if (tap[direction] === null && isTone(frame)) tap[direction] = performance.now();
      },
    });
    await app.start();
    stack = await Stack.start({
      name: 'echo_agent',
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      services: ['call-control', 'media', 'twiml-interpreter', 'consent'],
    });
    app.routes.set('/voice', () =>
      twiml(`<Response><Connect><Stream url="${agent.url}"/></Connect></Response>`),
    );
    ({ phoneNumberId } = await stack.sender({
      number: BUSINESS_NUMBER,
      voiceUrl: `${app.url}/voice`,
    }));
    await stack.simClient.createUser({ waId: CALLER, behaviour: { speak: null } });
  }, 420_000);

  afterAll(async () => {
    await stack?.stop();
    await agent?.close();
    await app.stop();
  }, 30_000);

  it('greets the caller, then says back the tone the caller says', async () => {
    const sim = stack.simClient;
    const { callId } = await sim.userCall(CALLER, phoneNumberId);
    // The greeting was played to the caller: Parley acknowledged its mark.
    const session = await until(
      'the greeting played',
      () => [...agent.sessions].find((s) => s.played.includes('greeting')),
      { timeoutMs: 60_000 },
    );
    expect(session.format).toBe('mulaw-8k');
    const heardGreeting = await sim.analyseCall(callId);
    expect(heardGreeting.levelDbfs).toBeGreaterThan(-45);

    const before = performance.now();
    await sim.userSpeak(callId, { toneHz: TONE_HZ });
    const spokeAt = (before + performance.now()) / 2;

    const heard = await until(
      'the caller to hear the tone back',
      async () => {
        const wav = decodeWav(await sim.getReceivedWav(callId));
        const fetchedAt = performance.now();
        const onset = onsetOf(wav.samples, wav.sampleRate, TONE_HZ);
        if (onset === null) return undefined;
        return { atMs: fetchedAt - ((wav.samples.length - onset) / wav.sampleRate) * 1000 };
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    const { heard: agentHeard, said: agentSaid } = tap;
    expect(agentHeard).not.toBeNull();
    expect(agentSaid).not.toBeNull();
    const ms = (x: number) => `${Math.round(x)} ms`;
    process.stdout.write(
      `echo agent (greeting by ${greetingSource}): the caller heard its ${TONE_HZ} Hz tone back ` +
        `${ms(heard.atMs - spokeAt)} after saying it: caller -> agent ${ms(agentHeard! - spokeAt)}, ` +
        `the agent's hold ${ms(agentSaid! - agentHeard!)} (${ECHO_DELAY_MS} ms of audio), ` +
        `agent -> caller ${ms(heard.atMs - agentSaid!)}; added by Parley and the simulator's ` +
        `WebRTC both ways: ${ms(agentHeard! - spokeAt + (heard.atMs - agentSaid!))}\n`,
    );

    await sim.userHangup(callId);
    await until('the agent to see the call end', () =>
      agent.sessions.size === 0 ? true : undefined,
    );
  }, 180_000);
});

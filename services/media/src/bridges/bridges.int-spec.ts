import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { newSid } from '@parley/contracts';
import { dominantFrequency, parseWavHeader, rms, toDbfs } from '../audio';
import { eventually, MediaHarness } from '../testing/media-harness';
import {
  businessCallsUser,
  TEST_ACCOUNT,
  userCallsIn,
  type ConnectedUser,
} from '../testing/whatsapp-user';

/** Waits until a user has heard `ms` more of audio than when this was called. */
async function hearFor(user: ConnectedUser, ms: number): Promise<void> {
  const start = user.peer.analyse().durationMs;
  await eventually(`${ms} ms of audio`, () =>
    user.peer.analyse().durationMs - start >= ms ? true : undefined,
  );
}

/** The channels of a PCM16 WAV, de-interleaved. */
function channelsOf(wav: Buffer): { sampleRate: number; channels: Int16Array[] } {
  const info = parseWavHeader(wav);
  const data = wav.subarray(info.dataOffset, info.dataOffset + info.declaredDataLength);
  const frames = Math.floor(data.length / info.blockAlign);
  const channels = Array.from({ length: info.channels }, () => new Int16Array(frames));
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < info.channels; c++) {
      (channels[c] as Int16Array)[i] = data.readInt16LE(i * info.blockAlign + c * 2);
    }
  }
  return { sampleRate: info.sampleRate, channels };
}

describe('bridged WhatsApp legs, their digits and recordings', () => {
  let media: MediaHarness;
  const users: ConnectedUser[] = [];

  beforeAll(async () => {
    media = await MediaHarness.start({ label: 'media_bridges' });
  });

  afterEach(async () => {
    for (const u of users.splice(0)) {
      await media.request('media.v1.leg.close', { callSid: u.callSid });
      await u.peer.close();
    }
  });

  afterAll(async () => {
    await media?.stop();
  });

  async function track(u: Promise<ConnectedUser>): Promise<ConnectedUser> {
    const user = await u;
    users.push(user);
    return user;
  }

  it('bridges a caller and a called user: each hears the other, hold mutes both ways', async () => {
    const caller = await track(userCallsIn(media));
    const callee = await track(businessCallsUser(media));
    caller.peer.startTone(440);
    callee.peer.startTone(880);
    await media.request('media.v1.bridge.create', {
      callSid: caller.callSid,
      otherCallSid: callee.callSid,
    });
    // Bridging again is harmless; bridging to a third leg is not.
    await media.request('media.v1.bridge.create', {
      callSid: callee.callSid,
      otherCallSid: caller.callSid,
    });
    await expect(
      media.request('media.v1.bridge.create', {
        callSid: caller.callSid,
        otherCallSid: caller.callSid,
      }),
    ).rejects.toMatchObject({ code: 21220 });

    caller.peer.resetReceived();
    callee.peer.resetReceived();
    await hearFor(caller, 1_500);
    await hearFor(callee, 1_500);
    const callerHears = caller.peer.analyse({ fromMs: 500 });
    const calleeHears = callee.peer.analyse({ fromMs: 500 });
    expect(callerHears.dominantFrequencyHz).toBeCloseTo(880, -1);
    expect(calleeHears.dominantFrequencyHz).toBeCloseTo(440, -1);
    expect(callerHears.levelDbfs).toBeGreaterThan(-30);

    await media.request('media.v1.leg.hold', { callSid: caller.callSid, hold: true });
    caller.peer.resetReceived();
    callee.peer.resetReceived();
    await hearFor(caller, 1_000);
    await hearFor(callee, 1_000);
    expect(caller.peer.analyse({ fromMs: 200 }).levelDbfs).toBeLessThan(-60);
    expect(callee.peer.analyse({ fromMs: 200 }).levelDbfs).toBeLessThan(-60);

    await media.request('media.v1.leg.hold', { callSid: caller.callSid, hold: false });
    callee.peer.resetReceived();
    await hearFor(callee, 1_000);
    expect(callee.peer.analyse({ fromMs: 300 }).dominantFrequencyHz).toBeCloseTo(440, -1);

    await media.request('media.v1.bridge.destroy', {
      callSid: caller.callSid,
      otherCallSid: callee.callSid,
    });
    callee.peer.resetReceived();
    await hearFor(callee, 1_000);
    expect(callee.peer.analyse({ fromMs: 300 }).levelDbfs).toBeLessThan(-60);
  });

  it('reports each key press once, in order', async () => {
    const user = await track(userCallsIn(media));
    await user.peer.sendDigits('1234#');
    const digits = () =>
      media.eventsOf('media.v1.dtmf.received', (e) => e.callSid === user.callSid);
    await eventually('five presses', () => (digits().length >= 5 ? true : undefined));
    // One more press after those: any duplicate of the first five would precede it.
    await user.peer.sendDigits('9');
    await eventually('the sixth press', () => (digits().length >= 6 ? true : undefined));
    const events = digits();
    expect(events.map((e) => e.digit)).toEqual(['1', '2', '3', '4', '#', '9']);
    expect(events.map((e) => e.sequence)).toEqual([0, 1, 2, 3, 4, 5]);
    for (const e of events) expect(e.durationMs).toBeGreaterThanOrEqual(40);
  });

  it('records a bridged call on two channels: caller on the first, callee on the second', async () => {
    const caller = await track(userCallsIn(media));
    const callee = await track(userCallsIn(media));
    caller.peer.startTone(440);
    callee.peer.startTone(880);
    await media.request('media.v1.bridge.create', {
      callSid: caller.callSid,
      otherCallSid: callee.callSid,
    });
    const recordingSid = newSid('RE');
    await media.request('media.v1.recording.start', {
      recordingSid,
      accountSid: TEST_ACCOUNT,
      callSid: caller.callSid,
      otherCallSid: callee.callSid,
      channels: 'dual',
      source: 'DialVerb',
    });
    await hearFor(callee, 2_000);
    await media.request('media.v1.recording.stop', { recordingSid });
    const done = await media.waitForRecording(recordingSid);
    expect(done).toMatchObject({
      status: 'completed',
      reason: 'stopped',
      channels: 2,
      callSid: caller.callSid,
      source: 'DialVerb',
      finishedOnKey: null,
    });
    expect(done.durationSec).toBeGreaterThanOrEqual(1);
    expect(done.storageUri).toMatch(/^file:\/\//);
    const wav = await readFile(fileURLToPath(done.storageUri ?? ''));
    expect(wav.length).toBe(done.sizeBytes);
    const { sampleRate, channels } = channelsOf(wav);
    expect(channels).toHaveLength(2);
    const [first, second] = channels as [Int16Array, Int16Array];
    expect(dominantFrequency(first, sampleRate)).toBeCloseTo(440, -1);
    expect(dominantFrequency(second, sampleRate)).toBeCloseTo(880, -1);
    expect(toDbfs(rms(first))).toBeGreaterThan(-30);
  });

  it('ends a recording on its finish key and reports the key', async () => {
    const user = await track(userCallsIn(media));
    user.peer.startTone(600);
    const recordingSid = newSid('RE');
    await media.request('media.v1.recording.start', {
      recordingSid,
      accountSid: TEST_ACCOUNT,
      callSid: user.callSid,
      track: 'inbound',
      finishOnKey: '#',
      playBeep: true,
    });
    await hearFor(user, 1_000);
    await user.peer.sendDigits('5#');
    const done = await media.waitForRecording(recordingSid);
    expect(done).toMatchObject({
      status: 'completed',
      reason: 'finish-key',
      finishedOnKey: '#',
      channels: 1,
    });
    await expect(media.request('media.v1.recording.stop', { recordingSid })).rejects.toMatchObject({
      code: 20404,
    });
  });

  it('finishes a recording when its leg hangs up', async () => {
    const user = await userCallsIn(media);
    const recordingSid = newSid('RE');
    await media.request('media.v1.recording.start', {
      recordingSid,
      accountSid: TEST_ACCOUNT,
      callSid: user.callSid,
    });
    user.peer.startTone(500);
    await hearFor(user, 1_000);
    await media.request('media.v1.leg.close', { callSid: user.callSid });
    await user.peer.close();
    const done = await media.waitForRecording(recordingSid);
    expect(done.reason).toBe('hangup');
    expect(done.status).toBe('completed');
    // No source given: a <Record>, as recordings were before sources existed.
    expect(done.source).toBe('RecordVerb');
  });

  it('leaves no mediasoup object or rtpengine session behind', async () => {
    await eventually('rtpengine sessions closed', async () =>
      (await media.metric('parley_rtpengine_sessions')) === 0 ? true : undefined,
    );
    for (const kind of ['routers', 'transports', 'producers', 'consumers']) {
      expect(await media.metric('parley_mediasoup_objects', { kind })).toBe(0);
    }
  });
});

import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalDirectoryStorage } from '@parley/recording-storage';
import { FRAME_SAMPLES, framesOf, rms } from './pcm';
import { Recorder, type RecorderOptions } from './recorder';
import { dominantFrequency, generateTone, toneAmplitude } from './tones';
import { parseWavHeader } from './wav';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'parley-recorder-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const create = (options: Omit<RecorderOptions, 'tmpDir'>): Promise<Recorder> =>
  Recorder.create({ ...options, tmpDir: dir });

/** 20 ms frames of a tone (continuous phase across frames). */
function toneFrames(freq: number, ms: number, amplitude = 0.3): Int16Array[] {
  return [...framesOf(generateTone(freq, ms, { amplitude, fadeMs: 0 }))].map((f) => f.slice());
}
const silence = (ms: number): Int16Array[] =>
  Array.from({ length: ms / 20 }, () => new Int16Array(FRAME_SAMPLES));

/** De-interleaved channels of a PCM16 WAV. */
function channelsOf(wav: Buffer): { rate: number; channels: Int16Array[] } {
  const info = parseWavHeader(wav);
  const data = wav.subarray(info.dataOffset, info.dataOffset + info.declaredDataLength);
  const samples = new Int16Array(
    data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength),
  );
  const channels = Array.from({ length: info.channels }, (_, c) =>
    Int16Array.from(
      { length: samples.length / info.channels },
      (_, i) => samples[i * info.channels + c] as number,
    ),
  );
  return { rate: info.sampleRate, channels };
}

/** Level (RMS) of a channel between two times, in ms. */
const levelAt = (samples: Int16Array, rate: number, fromMs: number, toMs: number): number =>
  rms(samples, Math.floor((fromMs * rate) / 1000), Math.floor((toMs * rate) / 1000));

describe('Recorder', () => {
  it('records dual channel: parent on channel 1, child on channel 2', async () => {
    const recorder = await create({ channels: 'dual' });
    const parent = toneFrames(440, 2000);
    const child = toneFrames(1000, 2000);
    parent.forEach((frame, i) => {
      recorder.push(0, frame, 10_000 + i * 20);
      recorder.push(1, child[i] as Int16Array, 10_000 + i * 20 + 3); // a little jitter
    });
    const result = await recorder.finish('stopped');
    expect(result).toMatchObject({
      channels: 2,
      sampleRate: 16_000,
      durationSec: 2,
      reason: 'stopped',
    });
    const wav = await result.readAll();
    expect(wav.length).toBe(result.sizeBytes);
    const { rate, channels } = channelsOf(wav);
    const [left, right] = channels as [Int16Array, Int16Array];
    expect(rate).toBe(16_000);
    expect(left.length).toBe(32_000);
    expect(dominantFrequency(left, rate)).toBeCloseTo(440, 0);
    expect(dominantFrequency(right, rate)).toBeCloseTo(1000, 0);
    // No cross-talk: each tone is only on its own channel.
    expect(toneAmplitude(left, 1000, rate)).toBeLessThan(50);
    expect(toneAmplitude(right, 440, rate)).toBeLessThan(50);
    await result.dispose();
  });

  it('places frames by time: a channel that is late or silent gets silence there', async () => {
    const recorder = await create({ channels: 'dual' });
    const parent = toneFrames(440, 3000);
    const child = toneFrames(1000, 3000);
    for (let i = 0; i < parent.length; i++) {
      const t = i * 20;
      recorder.push(0, parent[i] as Int16Array, t);
      // The child starts at 500 ms and drops out between 1500 and 2000 ms.
      if (t >= 500 && (t < 1500 || t >= 2000)) recorder.push(1, child[i] as Int16Array, t);
    }
    const result = await recorder.finish();
    const { rate, channels } = channelsOf(await result.readAll());
    const [left, right] = channels as [Int16Array, Int16Array];
    expect(left.length).toBe(right.length);
    expect(result.durationSec).toBe(3);
    expect(levelAt(right, rate, 20, 480)).toBe(0);
    expect(levelAt(right, rate, 600, 1400)).toBeGreaterThan(5000);
    expect(levelAt(right, rate, 1520, 1980)).toBe(0);
    expect(levelAt(right, rate, 2100, 2900)).toBeGreaterThan(5000);
    expect(levelAt(left, rate, 20, 2980)).toBeGreaterThan(5000);
    // The child's audio sits where it was sent: its tone at 600-1400 ms is the 1000 Hz one.
    expect(dominantFrequency(right.subarray(rate * 0.6, rate * 1.4), rate)).toBeCloseTo(1000, 0);
    await result.dispose();
  });

  it('puts a frame that arrives after the other channel moved on in its place', async () => {
    const recorder = await create({ channels: 'dual', jitterFrames: 3 });
    const a = toneFrames(440, 400);
    const b = toneFrames(1000, 400);
    // Channel 1's frames arrive two frames late, in bursts.
    for (let i = 0; i < a.length; i++) {
      recorder.push(0, a[i] as Int16Array, i * 20);
      if (i >= 2) recorder.push(1, b[i - 2] as Int16Array, (i - 2) * 20);
    }
    recorder.push(1, b[18] as Int16Array, 360);
    recorder.push(1, b[19] as Int16Array, 380);
    const result = await recorder.finish();
    const { rate, channels } = channelsOf(await result.readAll());
    const right = channels[1] as Int16Array;
    // Continuous tone from the start: nothing was dropped or shifted.
    for (let ms = 20; ms < 380; ms += 40)
      expect(levelAt(right, rate, ms, ms + 20)).toBeGreaterThan(5000);
    await result.dispose();
  });

  it('mixes both channels into mono with saturation', async () => {
    const recorder = await create({ channels: 'mono' });
    const a = toneFrames(440, 1000, 0.6);
    const b = toneFrames(1000, 1000, 0.6);
    a.forEach((frame, i) => {
      recorder.push(0, frame, i * 20);
      recorder.push(1, b[i] as Int16Array, i * 20);
    });
    const result = await recorder.finish();
    const { rate, channels } = channelsOf(await result.readAll());
    const mono = channels[0] as Int16Array;
    expect(channels).toHaveLength(1);
    expect(toneAmplitude(mono, 440, rate)).toBeGreaterThan(15_000);
    expect(toneAmplitude(mono, 1000, rate)).toBeGreaterThan(15_000);
    expect(Math.max(...mono)).toBeLessThanOrEqual(32_767);
    await result.dispose();
  });

  it('signals silence after the silence timeout', async () => {
    const recorder = await create({ channels: 'mono', silenceTimeoutSec: 1 });
    const frames = [...toneFrames(440, 1000), ...silence(3000)];
    let stoppedAt = -1;
    frames.forEach((frame, i) => {
      if (stoppedAt < 0 && recorder.push(0, frame, i * 20) === 'silence') stoppedAt = i * 20;
    });
    // 1 s of speech + 1 s of silence, noticed once the jitter window has passed.
    expect(stoppedAt).toBeGreaterThanOrEqual(2000);
    expect(stoppedAt).toBeLessThanOrEqual(2100);
    expect(recorder.stopReason).toBe('silence');
    expect(recorder.push(0, new Int16Array(FRAME_SAMPLES), 5000)).toBe('silence');
    const result = await recorder.finish();
    expect(result.reason).toBe('silence');
    expect(result.durationMs).toBe(2000);
    await result.dispose();
  });

  it('counts initial silence too (nobody spoke)', async () => {
    const recorder = await create({ channels: 'mono', silenceTimeoutSec: 2 });
    const stops = silence(3000).map((frame, i) => recorder.push(0, frame, i * 20));
    expect(stops.indexOf('silence')).toBe(100 + 3 - 1);
    await recorder.discard();
  });

  it('trims leading and trailing silence, keeping a small margin', async () => {
    const recorder = await create({ channels: 'mono', trimSilence: true, trimMarginMs: 100 });
    const frames = [...silence(1000), ...toneFrames(440, 1000), ...silence(1500)];
    frames.forEach((frame, i) => recorder.push(0, frame, i * 20));
    const result = await recorder.finish();
    expect(result.durationMs).toBeGreaterThanOrEqual(1000);
    expect(result.durationMs).toBeLessThanOrEqual(1240);
    const { rate, channels } = channelsOf(await result.readAll());
    const mono = channels[0] as Int16Array;
    expect(levelAt(mono, rate, 150, 950)).toBeGreaterThan(5000);
    expect(dominantFrequency(mono, rate)).toBeCloseTo(440, 0);
    await result.dispose();
  });

  it('records nothing when trimming a silent recording', async () => {
    const recorder = await create({ channels: 'mono', trimSilence: true });
    silence(1000).forEach((frame, i) => recorder.push(0, frame, i * 20));
    const result = await recorder.finish('hangup');
    expect(result.durationMs).toBe(0);
    expect(result.sizeBytes).toBe(44);
    await result.dispose();
  });

  it('stops at the maximum length', async () => {
    const recorder = await create({ channels: 'mono', maxLengthSec: 2 });
    const frames = toneFrames(440, 3000);
    const stops = frames.map((frame, i) => recorder.push(0, frame, i * 20));
    expect(stops.indexOf('max-length')).toBe(100 + 3 - 1);
    const result = await recorder.finish();
    expect(result).toMatchObject({ reason: 'max-length', durationSec: 2, durationMs: 2000 });
    await result.dispose();
  });

  it('follows the frame order when frames carry no time', async () => {
    const recorder = await create({ channels: 'mono', sampleRate: 8000 });
    toneFrames(440, 500).forEach((frame) => recorder.push(0, frame));
    const result = await recorder.finish();
    expect(result).toMatchObject({ sampleRate: 8000, durationMs: 500, sizeBytes: 44 + 4000 * 2 });
    await result.dispose();
  });

  it('writes to disk while recording and streams the result into storage', async () => {
    const recorder = await create({ channels: 'dual' });
    const frames = toneFrames(440, 10_000);
    frames.forEach((frame, i) => {
      recorder.push(0, frame, i * 20);
      recorder.push(1, frame, i * 20);
    });
    // 10 s of dual 16 kHz audio is 640 kB: most of it is on disk before finish().
    const deadline = Date.now() + 5000;
    let size = 0;
    while (size < 500_000 && Date.now() < deadline) {
      size = (await stat(recorder.path)).size;
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(size).toBeGreaterThan(500_000);
    const result = await recorder.finish();
    const storage = new LocalDirectoryStorage(join(dir, 'store'));
    const stored = await result.saveTo(storage, 'AC1/RE1.wav');
    expect(stored.sizeBytes).toBe(result.sizeBytes);
    expect(stored.uri).toMatch(/^file:\/\/.*\/store\/AC1\/RE1\.wav$/);
    await expect(stat(result.path)).rejects.toThrow(); // temporary file removed
  });

  it('refuses frames that are not 20 ms at 48 kHz', async () => {
    const recorder = await create({ channels: 'mono' });
    expect(() => recorder.push(0, new Int16Array(320), 0)).toThrow(RangeError);
    await recorder.discard();
    await expect(stat(recorder.path)).rejects.toThrow();
  });
});

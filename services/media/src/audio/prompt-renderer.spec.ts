import { type PromptSource } from '@parley/contracts';
import { FRAME_SAMPLES, concatInt16, rms } from './pcm';
import { PcmCache } from './pcm-cache';
import { type AudioEngines, loopPrompt, renderPrompt } from './prompt-renderer';
import { ringbackCycle } from './ringback';
import { EspeakTts } from './tts/espeak';
import { dominantFrequency, generateTone } from './tones';
import { type LoadOptions, UrlAudioLoader } from './url/url-audio';

/** URL audio without a network: these tests are about framing, looping and aborting. */
class FakeUrlLoader extends UrlAudioLoader {
  loads = 0;
  constructor(private readonly pcm: Int16Array) {
    super();
  }
  override load(_url: string, options: LoadOptions = {}): Promise<Int16Array> {
    this.loads++;
    options.signal?.throwIfAborted();
    return Promise.resolve(this.pcm);
  }
}

function engines(pcm = generateTone(440, 1010)): AudioEngines & { urls: FakeUrlLoader } {
  return { cache: new PcmCache(), tts: new EspeakTts(), urls: new FakeUrlLoader(pcm) };
}

async function collect(frames: AsyncIterable<Int16Array>, limit = Infinity): Promise<Int16Array[]> {
  const out: Int16Array[] = [];
  for await (const frame of frames) {
    out.push(frame);
    if (out.length >= limit) break;
  }
  return out;
}

describe('renderPrompt', () => {
  it('renders silence as whole zero frames', async () => {
    const frames = await collect(
      renderPrompt({ kind: 'silence', durationMs: 1010 }, { engines: engines() }),
    );
    expect(frames).toHaveLength(51);
    expect(frames.every((f) => f.length === FRAME_SAMPLES && rms(f) === 0)).toBe(true);
  });

  it('renders ringback endlessly until aborted', async () => {
    const controller = new AbortController();
    const cycleFrames = ringbackCycle('us').length / FRAME_SAMPLES;
    const frames: Int16Array[] = [];
    for await (const frame of renderPrompt(
      { kind: 'ringback', country: 'us' },
      { engines: engines(), signal: controller.signal },
    )) {
      frames.push(frame);
      if (frames.length === cycleFrames * 2 + 10) controller.abort();
    }
    expect(frames).toHaveLength(cycleFrames * 2 + 10);
    const firstSecond = concatInt16(frames.slice(0, 50));
    expect(
      dominantFrequency(firstSecond.subarray(0, 48_000), 48_000, { maxHz: 600 }),
    ).toBeGreaterThan(430);
  });

  it('cuts URL audio into 20 ms frames, padding the last one', async () => {
    const e = engines(generateTone(440, 1010));
    const frames = await collect(
      renderPrompt({ kind: 'url', url: 'https://example.com/a.wav' }, { engines: e }),
    );
    expect(frames).toHaveLength(51);
    expect(frames.every((f) => f.length === FRAME_SAMPLES)).toBe(true);
    expect(rms(frames[50] as Int16Array, 480, 960)).toBe(0);
  });

  it('stops promptly when aborted, without an error', async () => {
    const controller = new AbortController();
    const e = engines(generateTone(440, 5000));
    const iterator = renderPrompt(
      { kind: 'url', url: 'https://example.com/a.wav' },
      { engines: e, signal: controller.signal },
    );
    const first = await iterator.next();
    expect(first.done).toBe(false);
    controller.abort();
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });

  it('refuses digits: they are RFC 4733 events, not audio', async () => {
    await expect(
      collect(renderPrompt({ kind: 'digits', digits: '123' }, { engines: engines() })),
    ).rejects.toThrow(/RFC 4733/);
  });
});

describe('loopPrompt', () => {
  const url: PromptSource = { kind: 'url', url: 'https://example.com/a.wav' };

  it('plays loop times, loading the audio once', async () => {
    const e = engines(generateTone(440, 200));
    const frames = await collect(loopPrompt(url, 3, { engines: e }));
    expect(frames).toHaveLength(30);
    expect(e.urls.loads).toBe(1);
    expect(frames[10]).toBe(frames[0]);
  });

  it('loops until aborted with loop 0', async () => {
    const controller = new AbortController();
    const e = engines(generateTone(440, 200));
    const frames: Int16Array[] = [];
    for await (const frame of loopPrompt(url, 0, { engines: e, signal: controller.signal })) {
      frames.push(frame);
      if (frames.length === 95) controller.abort();
    }
    expect(frames).toHaveLength(95);
  });

  it('loops silence and refuses a negative loop count', async () => {
    const frames = await collect(
      loopPrompt({ kind: 'silence', durationMs: 100 }, 2, { engines: engines() }),
    );
    expect(frames).toHaveLength(10);
    await expect(collect(loopPrompt(url, -1, { engines: engines() }))).rejects.toThrow(RangeError);
  });
});

import { spawnSync } from 'node:child_process';
import { FRAME_SAMPLES, concatInt16, rms, toDbfs } from '../pcm';
import { PcmCache } from '../pcm-cache';
import { type AudioEngines, renderPrompt } from '../prompt-renderer';
import { dominantFrequency } from '../tones';
import { UrlAudioLoader } from '../url/url-audio';
import { EspeakTts, TtsError } from './espeak';
import { type EspeakVoice, LANGUAGE_VOICES, mapVoice } from './voices';

// Real espeak-ng (Debian package espeak-ng): these tests synthesise actual speech.

async function collect(frames: AsyncIterable<Int16Array>): Promise<Int16Array[]> {
  const out: Int16Array[] = [];
  for await (const frame of frames) out.push(frame);
  return out;
}

function makeEngines(tts = new EspeakTts()): AudioEngines {
  const cache = new PcmCache();
  return { cache, tts, urls: new UrlAudioLoader({ cache }) };
}

/** Share of 20 ms frames louder than -40 dBFS: speech, not silence or hiss. */
function voicedShare(frames: Int16Array[]): number {
  return frames.filter((f) => toDbfs(rms(f)) > -40).length / frames.length;
}

describe('espeak-ng text to speech (real espeak-ng)', () => {
  const text = 'Hello, and welcome to Parley. Please say the name of the person you are calling.';

  it('speaks a sentence with a plausible duration, level and pitch, faded at both ends', async () => {
    const frames = await collect(renderPrompt({ kind: 'say', text }, { engines: makeEngines() }));
    expect(frames.every((f) => f.length === FRAME_SAMPLES)).toBe(true);
    // 15 words at 160 words per minute is about 5.6 s; espeak-ng adds pauses at punctuation.
    const seconds = (frames.length * 20) / 1000;
    expect(seconds).toBeGreaterThan(3.5);
    expect(seconds).toBeLessThan(9);
    expect(voicedShare(frames)).toBeGreaterThan(0.5);
    const audio = concatInt16(frames);
    expect(toDbfs(rms(audio))).toBeGreaterThan(-30);
    // Voiced speech: most energy between 80 Hz and 4 kHz.
    const f = dominantFrequency(audio, 48_000, { minHz: 60, maxHz: 6000 });
    expect(f).toBeGreaterThan(80);
    expect(f).toBeLessThan(4000);
    expect(Math.abs(frames[0]?.[0] ?? 1)).toBeLessThan(50);
    const last = frames[frames.length - 1] as Int16Array;
    expect(Math.abs(last[FRAME_SAMPLES - 1] as number)).toBeLessThan(50);
  });

  it('takes longer for longer text and renders a repeated prompt from the cache', async () => {
    const engines = makeEngines();
    const short = await collect(renderPrompt({ kind: 'say', text: 'One two three.' }, { engines }));
    const long = await collect(renderPrompt({ kind: 'say', text: `${text} ${text}` }, { engines }));
    expect(long.length).toBeGreaterThan(short.length * 3);
    expect(engines.cache.size).toBe(2);
    const again = await collect(renderPrompt({ kind: 'say', text: 'One two three.' }, { engines }));
    expect(concatInt16(again)).toEqual(concatInt16(short));
  });

  it('speaks other languages and a female variant', async () => {
    const engines = makeEngines();
    const pt = await collect(
      renderPrompt(
        { kind: 'say', text: 'Olá, bem-vindo.', voice: 'Polly.Camila', language: 'pt-BR' },
        { engines },
      ),
    );
    const de = await collect(
      renderPrompt({ kind: 'say', text: 'Guten Tag.', language: 'de-DE' }, { engines }),
    );
    expect(voicedShare(pt)).toBeGreaterThan(0.3);
    expect(voicedShare(de)).toBeGreaterThan(0.3);
  });

  it('accepts every espeak-ng voice the mapping can produce', () => {
    const voices = new Set([...Object.values(LANGUAGE_VOICES), 'en-us+f3']);
    const rejected = [...voices].filter((voice) => {
      const run = spawnSync('espeak-ng', ['--stdout', '-v', voice, '--stdin'], { input: 'ok' });
      return run.status !== 0 || run.stdout.subarray(0, 4).toString('ascii') !== 'RIFF';
    });
    expect(rejected).toEqual([]);
  });

  it('reads SSML as plain text: tags are not spoken', async () => {
    const engines = makeEngines();
    const plain = await collect(renderPrompt({ kind: 'say', text: 'Hello world.' }, { engines }));
    const ssml = await collect(
      renderPrompt(
        {
          kind: 'say',
          text: '<speak><prosody rate="x-slow" pitch="high">Hello world.</prosody></speak>',
        },
        { engines },
      ),
    );
    // Reading the tags aloud would take several times longer.
    expect(Math.abs(ssml.length - plain.length)).toBeLessThan(plain.length * 0.3);
  });

  it('falls back to the default voice when espeak-ng rejects the chosen one', async () => {
    class BadVoiceTts extends EspeakTts {
      override prepare(request: { text: string }): { voice: EspeakVoice; text: string } {
        return {
          voice: { voice: 'zz-nonexistent', base: 'zz-nonexistent', language: 'zz', gender: null },
          text: request.text,
        };
      }
    }
    const frames = await collect(
      renderPrompt(
        { kind: 'say', text: 'Still speaking.' },
        { engines: makeEngines(new BadVoiceTts()) },
      ),
    );
    expect(voicedShare(frames)).toBeGreaterThan(0.3);
    expect(mapVoice('Polly.Unknown', 'xx-XX').voice).toBe('en-us');
  });

  it('stops espeak-ng promptly on abort and frees its slot', async () => {
    const tts = new EspeakTts({ maxConcurrent: 1 });
    const engines = makeEngines(tts);
    const controller = new AbortController();
    const long = Array.from({ length: 40 }, () => text).join(' ');
    let count = 0;
    for await (const _frame of renderPrompt(
      { kind: 'say', text: long },
      { engines, signal: controller.signal },
    )) {
      count++;
      if (count === 5) controller.abort();
    }
    expect(count).toBe(5);
    expect(engines.cache.size).toBe(0); // a partial prompt is not cached
    // With one slot, this only completes if the aborted run released it.
    const next = await collect(renderPrompt({ kind: 'say', text: 'Next.' }, { engines }));
    expect(next.length).toBeGreaterThan(10);
  });

  it('reports a missing espeak-ng as a TtsError', async () => {
    const engines = makeEngines(new EspeakTts({ command: '/nonexistent/espeak-ng' }));
    await expect(
      collect(renderPrompt({ kind: 'say', text: 'Hi.' }, { engines })),
    ).rejects.toBeInstanceOf(TtsError);
  });

  it('says nothing for text that is only markup', async () => {
    const frames = await collect(
      renderPrompt({ kind: 'say', text: '<speak/>' }, { engines: makeEngines() }),
    );
    expect(frames).toEqual([]);
  });
});

import { type PromptSource } from '@parley/contracts';
import { FRAME_SAMPLES, SILENT_FRAME, applyFade, concatInt16, framesOf, msToSamples } from './pcm';
import { PcmCache } from './pcm-cache';
import { ringbackFrames } from './ringback';
import { EspeakTts, type EspeakTtsOptions } from './tts/espeak';
import { UrlAudioLoader, type UrlAudioLoaderOptions } from './url/url-audio';

/**
 * Prompts (`<Say>`, `<Play>`, ringback, `<Pause>`) as 20 ms frames of 48 kHz mono PCM.
 *
 * Frames are pulled: the caller paces them (one per 20 ms into the Opus encoder) and stops
 * by aborting the signal or simply by not pulling any more (`return()` on the iterator
 * kills a running espeak-ng). Every frame is exactly 960 samples. Frames may be views of
 * cached or shared audio: treat them as read-only.
 *
 * `digits` prompts are not audio: they are RFC 4733 events (see dtmf.ts).
 */

export interface AudioEngines {
  tts: EspeakTts;
  urls: UrlAudioLoader;
  /** Shared by `say` and `url` prompts. */
  cache: PcmCache;
}

export interface AudioEnginesOptions {
  /** Bytes of decoded prompt audio kept in memory (default 64 MiB). */
  cacheMaxBytes?: number;
  tts?: EspeakTtsOptions;
  urls?: Omit<UrlAudioLoaderOptions, 'cache'>;
}

/** One set per process: the TTS concurrency limit and the cache are meant to be shared. */
export function createAudioEngines(options: AudioEnginesOptions = {}): AudioEngines {
  const cache = new PcmCache(
    options.cacheMaxBytes !== undefined ? { maxBytes: options.cacheMaxBytes } : {},
  );
  return {
    cache,
    tts: new EspeakTts(options.tts),
    urls: new UrlAudioLoader({ ...options.urls, cache }),
  };
}

export interface PromptRenderContext {
  engines: AudioEngines;
  /** Stops rendering promptly: the iterator then ends without an error. */
  signal?: AbortSignal;
}

/** Fade at the start and end of synthesised speech (URL audio is faded when decoded). */
const FADE_SAMPLES = msToSamples(5);

export type RenderablePrompt = Exclude<PromptSource, { kind: 'digits' }>;

/**
 * Frames of one playing of `source`. Throws ParleyError (11100, 11200, 11205, 12300) for
 * URL prompts that cannot be fetched or decoded, TtsError when speech synthesis fails, and
 * RangeError for `digits` (send those with dtmfEventPackets).
 */
export async function* renderPrompt(
  source: PromptSource,
  ctx: PromptRenderContext,
): AsyncGenerator<Int16Array, void, undefined> {
  const { signal } = ctx;
  if (signal?.aborted) return;
  switch (source.kind) {
    case 'silence': {
      const frames = Math.ceil(msToSamples(source.durationMs) / FRAME_SAMPLES);
      for (let i = 0; i < frames; i++) {
        if (signal?.aborted) return;
        yield SILENT_FRAME;
      }
      return;
    }
    case 'ringback':
      for (const frame of ringbackFrames(source.country)) {
        if (signal?.aborted) return;
        yield frame;
      }
      return;
    case 'url': {
      let pcm: Int16Array;
      try {
        pcm = await ctx.engines.urls.load(source.url, signal ? { signal } : {});
      } catch (error) {
        if (signal?.aborted) return;
        throw error;
      }
      yield* framesUntilAborted(pcm, signal);
      return;
    }
    case 'say':
      yield* renderSay(source, ctx);
      return;
    case 'digits':
      throw new RangeError('digits prompts are RFC 4733 events: use dtmfEventPackets/dtmfSchedule');
  }
}

function* framesUntilAborted(
  pcm: Int16Array,
  signal: AbortSignal | undefined,
): Generator<Int16Array, void, undefined> {
  for (const frame of framesOf(pcm)) {
    if (signal?.aborted) return;
    yield frame;
  }
}

function sayCacheKey(tts: EspeakTts, source: Extract<PromptSource, { kind: 'say' }>): string {
  const { voice, text } = tts.prepare(source);
  return `say:${voice.voice}|${tts.rateWpm}|${text}`;
}

/**
 * Speech, streamed from espeak-ng on first use (the first frame is out long before the
 * whole text is synthesised) and from the cache afterwards.
 */
async function* renderSay(
  source: Extract<PromptSource, { kind: 'say' }>,
  ctx: PromptRenderContext,
): AsyncGenerator<Int16Array, void, undefined> {
  const { engines, signal } = ctx;
  const key = sayCacheKey(engines.tts, source);
  const cached = engines.cache.get(key);
  if (cached) {
    yield* framesUntilAborted(cached.pcm, signal);
    return;
  }

  const produced: Int16Array[] = [];
  // One frame is held back so that the last one can be faded out when the speech ends.
  let pending: Int16Array | null = null;
  let partial = new Int16Array(FRAME_SAMPLES);
  let fill = 0;
  let first = true;
  const speech = engines.tts.synthesize(source, signal ? { signal } : {});
  try {
    for await (const chunk of speech) {
      let offset = 0;
      while (offset < chunk.length) {
        const n = Math.min(FRAME_SAMPLES - fill, chunk.length - offset);
        partial.set(chunk.subarray(offset, offset + n), fill);
        fill += n;
        offset += n;
        if (fill < FRAME_SAMPLES) break;
        if (first) {
          applyFade(partial, 'in', FADE_SAMPLES);
          first = false;
        }
        const frame = partial;
        partial = new Int16Array(FRAME_SAMPLES);
        fill = 0;
        if (pending) {
          produced.push(pending);
          if (signal?.aborted) return;
          yield pending;
        }
        pending = frame;
      }
    }
  } catch (error) {
    if (signal?.aborted) return;
    throw error;
  }
  if (signal?.aborted) return;
  // The tail: the held-back frame and the zero-padded partial one, faded out together.
  const tail = fill > 0 ? partial : null;
  const last = [pending, tail].filter((f): f is Int16Array => f !== null);
  if (last.length === 0) return;
  const joined = concatInt16(last);
  if (first) applyFade(joined, 'in', FADE_SAMPLES);
  applyFade(
    joined,
    'out',
    FADE_SAMPLES,
    0,
    (last.length - 1) * FRAME_SAMPLES + (tail ? fill : FRAME_SAMPLES),
  );
  for (const frame of framesOf(joined)) {
    produced.push(frame);
    yield frame;
  }
  engines.cache.set(key, { pcm: concatInt16(produced), expiresAt: Number.POSITIVE_INFINITY });
}

/**
 * `loop` playings of `source` back to back (0: until aborted). The audio is produced once
 * and replayed from memory; ringback is endless by itself.
 */
export async function* loopPrompt(
  source: PromptSource,
  loop: number,
  ctx: PromptRenderContext,
): AsyncGenerator<Int16Array, void, undefined> {
  if (!Number.isInteger(loop) || loop < 0) throw new RangeError(`loop must be >= 0, got ${loop}`);
  const { signal } = ctx;
  if (source.kind === 'ringback') {
    yield* renderPrompt(source, ctx);
    return;
  }
  const recorded: Int16Array[] = [];
  for await (const frame of renderPrompt(source, ctx)) {
    recorded.push(frame);
    yield frame;
  }
  if (recorded.length === 0) return;
  for (let playing = 1; loop === 0 || playing < loop; playing++) {
    for (const frame of recorded) {
      if (signal?.aborted) return;
      yield frame;
    }
  }
}

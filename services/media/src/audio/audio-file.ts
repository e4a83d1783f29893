import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { Mp3DecodeError, decodeMp3, looksLikeMp3 } from './mp3';
import { SAMPLE_RATE, applyFade, msToSamples } from './pcm';
import { Resampler } from './resample';
import { WavFormatError, looksLikeWav, parseWavHeader, wavDataToMono } from './wav';

/**
 * Audio files (the body of a `<Play>` URL) to Parley's PCM: 48 kHz mono Int16 with short
 * fades at both ends. The container is recognised from its bytes (RIFF/WAVE, ID3 or an
 * MPEG frame sync), not from the Content-Type, which customer servers often get wrong.
 */

export type AudioContainer = 'wav' | 'mp3';

export function sniffAudio(bytes: Uint8Array): AudioContainer | null {
  if (looksLikeWav(bytes)) return 'wav';
  if (looksLikeMp3(bytes)) return 'mp3';
  return null;
}

export type AudioDecodeFailure = 'unsupported' | 'invalid' | 'too-long';

export class AudioDecodeError extends Error {
  constructor(
    message: string,
    readonly reason: AudioDecodeFailure,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AudioDecodeError';
  }
}

export interface DecodeAudioOptions {
  /** Longest audio accepted (default 10 minutes: 57.6 MB of PCM). */
  maxDurationSec?: number;
  /** Fade at both ends (default 5 ms). */
  fadeMs?: number;
  signal?: AbortSignal;
}

/** Source samples converted per event-loop turn (about 1 s at 48 kHz). */
const CHUNK_SAMPLES = 48_000;

export async function decodeAudioFile(
  bytes: Uint8Array,
  options: DecodeAudioOptions = {},
): Promise<Int16Array> {
  const maxDurationSec = options.maxDurationSec ?? 600;
  const container = sniffAudio(bytes);
  let pcm: Int16Array;
  if (container === 'wav') {
    pcm = await decodeWavFile(bytes, maxDurationSec, options.signal);
  } else if (container === 'mp3') {
    let decoded;
    try {
      decoded = await decodeMp3(bytes, { maxSeconds: maxDurationSec });
    } catch (error) {
      if (error instanceof Mp3DecodeError && error.reason !== 'worker') {
        throw new AudioDecodeError(error.message, error.reason, { cause: error });
      }
      throw error;
    }
    options.signal?.throwIfAborted();
    pcm = await resampleChunked(decoded.samples, decoded.sampleRate, 32768, options.signal);
  } else {
    throw new AudioDecodeError('not a WAV or MP3 file', 'unsupported');
  }
  const fade = msToSamples(options.fadeMs ?? 5);
  applyFade(pcm, 'in', fade);
  applyFade(pcm, 'out', fade);
  return pcm;
}

async function decodeWavFile(
  bytes: Uint8Array,
  maxDurationSec: number,
  signal: AbortSignal | undefined,
): Promise<Int16Array> {
  let info;
  try {
    info = parseWavHeader(bytes);
  } catch (error) {
    if (error instanceof WavFormatError) {
      throw new AudioDecodeError(error.message, 'unsupported', { cause: error });
    }
    throw error;
  }
  const available = Math.min(info.declaredDataLength, bytes.byteLength - info.dataOffset);
  const frames = Math.floor(available / info.blockAlign);
  if (frames === 0) throw new AudioDecodeError('WAV file has no audio data', 'invalid');
  if (frames / info.sampleRate > maxDurationSec) {
    throw new AudioDecodeError(`audio is longer than ${maxDurationSec} s`, 'too-long');
  }
  const resampler = new Resampler(info.sampleRate, SAMPLE_RATE);
  const out = new Int16Array(Math.ceil((frames * SAMPLE_RATE) / info.sampleRate));
  let written = 0;
  for (let frame = 0; frame < frames; frame += CHUNK_SAMPLES) {
    const count = Math.min(CHUNK_SAMPLES, frames - frame);
    const start = info.dataOffset + frame * info.blockAlign;
    const mono = wavDataToMono(info, bytes.subarray(start, start + count * info.blockAlign));
    written += resampler.processInto(mono, out, written);
    if (frame + count < frames) {
      await yieldToEventLoop();
      signal?.throwIfAborted();
    }
  }
  const tail = resampler.flush();
  out.set(tail, written);
  return out.subarray(0, written + tail.length);
}

/** Float or Int16 mono samples to 48 kHz Int16, a chunk per event-loop turn. */
export async function resampleChunked(
  samples: ArrayLike<number> & { subarray(start: number, end: number): ArrayLike<number> },
  sampleRate: number,
  scale: number,
  signal?: AbortSignal,
): Promise<Int16Array> {
  const resampler = new Resampler(sampleRate, SAMPLE_RATE);
  const out = new Int16Array(Math.ceil((samples.length * SAMPLE_RATE) / sampleRate));
  let written = 0;
  for (let i = 0; i < samples.length; i += CHUNK_SAMPLES) {
    const chunk = samples.subarray(i, Math.min(samples.length, i + CHUNK_SAMPLES));
    written += resampler.processInto(chunk, out, written, scale);
    if (i + CHUNK_SAMPLES < samples.length) {
      await yieldToEventLoop();
      signal?.throwIfAborted();
    }
  }
  const tail = resampler.flush();
  out.set(tail, written);
  return out.subarray(0, written + tail.length);
}

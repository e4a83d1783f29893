import { SAMPLE_RATE } from './tone';

export interface PcmAudio {
  sampleRate: number;
  channels: number;
  /** Interleaved signed 16-bit samples. */
  samples: Int16Array;
}

export class WavFormatError extends Error {
  override readonly name = 'WavFormatError';
}

/** A canonical 44-byte-header PCM WAV file. */
export function encodeWav(samples: Int16Array, sampleRate = SAMPLE_RATE, channels = 1): Buffer {
  const dataBytes = samples.length * 2;
  const out = Buffer.alloc(44 + dataBytes);
  out.write('RIFF', 0, 'ascii');
  out.writeUInt32LE(36 + dataBytes, 4);
  out.write('WAVE', 8, 'ascii');
  out.write('fmt ', 12, 'ascii');
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(1, 20); // PCM
  out.writeUInt16LE(channels, 22);
  out.writeUInt32LE(sampleRate, 24);
  out.writeUInt32LE(sampleRate * channels * 2, 28);
  out.writeUInt16LE(channels * 2, 32);
  out.writeUInt16LE(16, 34);
  out.write('data', 36, 'ascii');
  out.writeUInt32LE(dataBytes, 40);
  for (let i = 0; i < samples.length; i += 1) out.writeInt16LE(samples[i] as number, 44 + i * 2);
  return out;
}

/**
 * Reads a 16-bit PCM WAV (the only kind the simulator plays). Chunks other than `fmt ` and
 * `data` (LIST, fact...) are skipped, as any real-world WAV may carry them.
 */
export function decodeWav(file: Buffer): PcmAudio {
  if (
    file.length < 12 ||
    file.toString('ascii', 0, 4) !== 'RIFF' ||
    file.toString('ascii', 8, 12) !== 'WAVE'
  ) {
    throw new WavFormatError('not a RIFF/WAVE file');
  }
  let offset = 12;
  let format:
    { audioFormat: number; channels: number; sampleRate: number; bits: number } | undefined;
  while (offset + 8 <= file.length) {
    const id = file.toString('ascii', offset, offset + 4);
    const size = file.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > file.length) throw new WavFormatError('truncated fmt chunk');
      format = {
        audioFormat: file.readUInt16LE(body),
        channels: file.readUInt16LE(body + 2),
        sampleRate: file.readUInt32LE(body + 4),
        bits: file.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      if (!format) throw new WavFormatError('data chunk before fmt chunk');
      // WAVE_FORMAT_EXTENSIBLE (0xFFFE) with 16-bit samples is still plain PCM for our purpose.
      if ((format.audioFormat !== 1 && format.audioFormat !== 0xfffe) || format.bits !== 16) {
        throw new WavFormatError('only 16-bit PCM WAV is supported');
      }
      if (format.channels < 1 || format.sampleRate < 1)
        throw new WavFormatError('invalid fmt chunk');
      const end = Math.min(file.length, body + size);
      const count = Math.floor((end - body) / 2);
      const samples = new Int16Array(count);
      for (let i = 0; i < count; i += 1) samples[i] = file.readInt16LE(body + i * 2);
      return { sampleRate: format.sampleRate, channels: format.channels, samples };
    }
    offset = body + size + (size % 2);
  }
  throw new WavFormatError('no data chunk');
}

/** Averages interleaved channels into one. */
export function toMono(audio: PcmAudio): Int16Array {
  if (audio.channels === 1) return audio.samples;
  const frames = Math.floor(audio.samples.length / audio.channels);
  const out = new Int16Array(frames);
  for (let f = 0; f < frames; f += 1) {
    let sum = 0;
    for (let c = 0; c < audio.channels; c += 1)
      sum += audio.samples[f * audio.channels + c] as number;
    out[f] = Math.round(sum / audio.channels);
  }
  return out;
}

/**
 * Linear-interpolation resampling. Good enough for test prompts and tones (the content is
 * then Opus-coded at 20 kbit/s anyway), not for hi-fi.
 */
export function resample(samples: Int16Array, fromRate: number, toRate: number): Int16Array {
  if (fromRate === toRate || samples.length === 0) return samples;
  const length = Math.max(1, Math.round((samples.length * toRate) / fromRate));
  const out = new Int16Array(length);
  const ratio = fromRate / toRate;
  for (let i = 0; i < length; i += 1) {
    const position = i * ratio;
    const left = Math.floor(position);
    const right = Math.min(left + 1, samples.length - 1);
    const fraction = position - left;
    const a = samples[Math.min(left, samples.length - 1)] as number;
    const b = samples[right] as number;
    out[i] = Math.round(a + (b - a) * fraction);
  }
  return out;
}

/** Any 16-bit PCM WAV as mono 48 kHz, ready to be Opus-coded. */
export function wavToMono48k(file: Buffer): Int16Array {
  const audio = decodeWav(file);
  return resample(toMono(audio), audio.sampleRate, SAMPLE_RATE);
}

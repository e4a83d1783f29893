/**
 * The little audio work the agent needs: reading espeak-ng's WAV, bringing it to 8 kHz,
 * and a tone for when espeak-ng is not installed. Pure functions.
 */

/** Mono 16-bit PCM samples of a RIFF/WAVE file (the first channel if there are more). */
export function parseWav(file: Buffer): { sampleRate: number; samples: Int16Array } {
  if (file.toString('ascii', 0, 4) !== 'RIFF' || file.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error('not a RIFF/WAVE file');
  }
  let offset = 12;
  let sampleRate = 0;
  let channels = 0;
  let bits = 0;
  while (offset + 8 <= file.length) {
    const id = file.toString('ascii', offset, offset + 4);
    // espeak-ng writing to a pipe leaves the sizes unset (0 or 0xffffffff): read to the end.
    let size = file.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'data' && (size === 0 || size === 0xffffffff || body + size > file.length)) {
      size = file.length - body;
    }
    if (id === 'fmt ') {
      const format = file.readUInt16LE(body);
      channels = file.readUInt16LE(body + 2);
      sampleRate = file.readUInt32LE(body + 4);
      bits = file.readUInt16LE(body + 14);
      if (format !== 1 || bits !== 16) throw new Error('only 16-bit PCM WAV is supported');
    } else if (id === 'data') {
      if (sampleRate === 0) throw new Error('WAV data before its format');
      const frames = Math.floor(size / (2 * channels));
      const samples = new Int16Array(frames);
      for (let i = 0; i < frames; i++) samples[i] = file.readInt16LE(body + i * 2 * channels);
      return { sampleRate, samples };
    }
    offset = body + size + (size % 2);
  }
  throw new Error('WAV has no data');
}

/**
 * Resamples mono PCM with a windowed-sinc low-pass (cut below the lower Nyquist
 * frequency), good enough for speech; 16 taps each side.
 */
export function resample(samples: Int16Array, from: number, to: number): Int16Array {
  if (from === to) return samples.slice();
  const ratio = from / to;
  const cutoff = Math.min(1, to / from) * 0.95;
  const half = 16;
  const out = new Int16Array(Math.floor(samples.length / ratio));
  for (let i = 0; i < out.length; i++) {
    const center = i * ratio;
    const first = Math.ceil(center - half / cutoff);
    const last = Math.floor(center + half / cutoff);
    let acc = 0;
    let norm = 0;
    for (let j = first; j <= last; j++) {
      const x = (j - center) * cutoff;
      const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
      const window = 0.5 + 0.5 * Math.cos((Math.PI * x) / half);
      const w = sinc * window;
      norm += w;
      if (j >= 0 && j < samples.length) acc += samples[j]! * w;
    }
    out[i] = Math.max(-32768, Math.min(32767, Math.round(acc / norm)));
  }
  return out;
}

/** A sine tone at 8 kHz, faded in and out over 10 ms so it does not click. */
export function tone(frequency: number, durationMs: number, amplitude = 8000): Int16Array {
  const n = Math.round((8000 * durationMs) / 1000);
  const fade = 80;
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    const envelope = Math.min(1, i / fade, (n - 1 - i) / fade);
    out[i] = Math.round(amplitude * envelope * Math.sin((2 * Math.PI * frequency * i) / 8000));
  }
  return out;
}

import { SAMPLE_RATE } from './tone';

/** Level reported for digital silence (log of zero). */
export const SILENCE_DBFS = -120;

/** RMS level of a PCM buffer in dBFS (a full-scale sine is about -3 dBFS). */
export function rmsDbfs(samples: Int16Array): number {
  if (samples.length === 0) return SILENCE_DBFS;
  let sum = 0;
  for (const s of samples) sum += s * s;
  const rms = Math.sqrt(sum / samples.length) / 32768;
  if (rms === 0) return SILENCE_DBFS;
  return Math.max(SILENCE_DBFS, 20 * Math.log10(rms));
}

/**
 * Power of one frequency in a buffer (Goertzel), normalised so that a full-scale sine at
 * exactly that frequency gives about 0.25. Cheap when only a few frequencies matter
 * (DTMF pairs, "is the 440 Hz tone there").
 */
export function goertzelPower(
  samples: Int16Array,
  frequencyHz: number,
  sampleRate = SAMPLE_RATE,
): number {
  const n = samples.length;
  if (n === 0) return 0;
  const coeff = 2 * Math.cos((2 * Math.PI * frequencyHz) / sampleRate);
  let s1 = 0;
  let s2 = 0;
  for (const x of samples) {
    const s0 = x / 32768 + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  return power / (n * n);
}

/** In-place iterative radix-2 FFT over separate real and imaginary arrays. */
function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i += 1) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      const tr = re[i] as number;
      re[i] = re[j] as number;
      re[j] = tr;
      const ti = im[i] as number;
      im[i] = im[j] as number;
      im[j] = ti;
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const angle = (-2 * Math.PI) / len;
    const wRe = Math.cos(angle);
    const wIm = Math.sin(angle);
    const half = len >> 1;
    for (let start = 0; start < n; start += len) {
      let curRe = 1;
      let curIm = 0;
      for (let k = 0; k < half; k += 1) {
        const a = start + k;
        const b = a + half;
        const bRe = re[b] as number;
        const bIm = im[b] as number;
        const tRe = bRe * curRe - bIm * curIm;
        const tIm = bRe * curIm + bIm * curRe;
        const aRe = re[a] as number;
        const aIm = im[a] as number;
        re[b] = aRe - tRe;
        im[b] = aIm - tIm;
        re[a] = aRe + tRe;
        im[a] = aIm + tIm;
        const nextRe = curRe * wRe - curIm * wIm;
        curIm = curRe * wIm + curIm * wRe;
        curRe = nextRe;
      }
    }
  }
}

export interface DominantFrequencyOptions {
  sampleRate?: number;
  /** Ignore energy below this frequency (hum, DC). Default 50 Hz. */
  minHz?: number;
  /** Ignore energy above this frequency. Default 8 kHz (WhatsApp's Opus plays back to 16 kHz). */
  maxHz?: number;
  /** Below this level the buffer is treated as silence and null is returned. Default -60 dBFS. */
  silenceDbfs?: number;
  /** Analyse at most this many samples (the most recent ones). Default 1 s. */
  maxSamples?: number;
}

/**
 * The strongest frequency in a buffer: Hann window, zero-padded FFT, then parabolic
 * interpolation between the peak bin and its neighbours, which resolves a steady tone to
 * well under 1 Hz over a second of audio. Null for silence.
 */
export function dominantFrequency(
  samples: Int16Array,
  options: DominantFrequencyOptions = {},
): number | null {
  const sampleRate = options.sampleRate ?? SAMPLE_RATE;
  const maxSamples = options.maxSamples ?? sampleRate;
  const input =
    samples.length > maxSamples ? samples.subarray(samples.length - maxSamples) : samples;
  if (input.length < 64) return null;
  if (rmsDbfs(input) < (options.silenceDbfs ?? -60)) return null;
  let size = 1;
  while (size < input.length * 2) size <<= 1;
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  const last = input.length - 1;
  for (let i = 0; i < input.length; i += 1) {
    const hann = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / last);
    re[i] = ((input[i] as number) / 32768) * hann;
  }
  fft(re, im);
  const binHz = sampleRate / size;
  const minBin = Math.max(1, Math.floor((options.minHz ?? 50) / binHz));
  const maxBin = Math.min(size / 2 - 2, Math.ceil((options.maxHz ?? 8000) / binHz));
  const magnitude = (k: number): number => Math.hypot(re[k] as number, im[k] as number);
  let peak = minBin;
  let peakMag = -1;
  for (let k = minBin; k <= maxBin; k += 1) {
    const m = magnitude(k);
    if (m > peakMag) {
      peakMag = m;
      peak = k;
    }
  }
  // Parabolic interpolation on log magnitudes (exact for a Gaussian-ish Hann main lobe).
  const a = Math.log(magnitude(peak - 1) + 1e-12);
  const b = Math.log(peakMag + 1e-12);
  const c = Math.log(magnitude(peak + 1) + 1e-12);
  const denominator = a - 2 * b + c;
  const offset = denominator === 0 ? 0 : (0.5 * (a - c)) / denominator;
  return (peak + offset) * binHz;
}

/** Milliseconds of 20 ms frames whose level is above a threshold: "someone is talking". */
export function activeMs(
  samples: Int16Array,
  options: { sampleRate?: number; thresholdDbfs?: number } = {},
): number {
  const sampleRate = options.sampleRate ?? SAMPLE_RATE;
  const frame = Math.round(sampleRate / 50);
  const threshold = options.thresholdDbfs ?? -45;
  let frames = 0;
  for (let start = 0; start + frame <= samples.length; start += frame) {
    if (rmsDbfs(samples.subarray(start, start + frame)) > threshold) frames += 1;
  }
  return frames * 20;
}

export interface AudioAnalysis {
  /** RMS level over the window, dBFS. */
  levelDbfs: number;
  /** Strongest frequency over (at most the last second of) the window, null for silence. */
  dominantFrequencyHz: number | null;
  /** Milliseconds of 20 ms frames above -45 dBFS. */
  speechLikeMs: number;
  /** Length of the analysed window. */
  durationMs: number;
}

/** Level, dominant frequency and activity of a window of a mono 48 kHz recording. */
export function analyse(
  samples: Int16Array,
  window: { fromMs?: number; toMs?: number } = {},
  sampleRate = SAMPLE_RATE,
): AudioAnalysis {
  const totalMs = (samples.length / sampleRate) * 1000;
  const fromMs = Math.max(0, Math.min(window.fromMs ?? 0, totalMs));
  const toMs = Math.max(fromMs, Math.min(window.toMs ?? totalMs, totalMs));
  const slice = samples.subarray(
    Math.floor((fromMs / 1000) * sampleRate),
    Math.floor((toMs / 1000) * sampleRate),
  );
  return {
    levelDbfs: rmsDbfs(slice),
    dominantFrequencyHz: dominantFrequency(slice, { sampleRate }),
    speechLikeMs: activeMs(slice, { sampleRate }),
    durationMs: Math.round((slice.length / sampleRate) * 1000),
  };
}

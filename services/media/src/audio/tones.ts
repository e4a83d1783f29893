import { FRAME_SAMPLES, SAMPLE_RATE, applyFade, framesOf, msToSamples } from './pcm';

/**
 * Tone generation (beeps, ringback bursts, test signals) and tone analysis (Goertzel,
 * dominant frequency) used by the tests and by anything that needs to check a signal.
 */

export interface ToneOptions {
  /** Peak amplitude of each frequency component, as a fraction of full scale. */
  amplitude?: number;
  /** Raised-cosine ramp at both ends, so a burst never clicks. */
  fadeMs?: number;
  sampleRate?: number;
  /** Amplitude modulation (E.180's "f1*f2" tones, e.g. India's 400*25 ringback). */
  modulationHz?: number;
  /** Phase (radians) of the first sample, for continuing a tone across calls. */
  startPhase?: number;
}

/** A sum of sinusoids of `durationMs`. */
export function generateTone(
  frequencies: number | readonly number[],
  durationMs: number,
  options: ToneOptions = {},
): Int16Array {
  const rate = options.sampleRate ?? SAMPLE_RATE;
  const freqs = typeof frequencies === 'number' ? [frequencies] : frequencies;
  const amplitude = (options.amplitude ?? 0.3) * 32767;
  const n = msToSamples(durationMs, rate);
  const out = new Int16Array(n);
  const steps = freqs.map((f) => (2 * Math.PI * f) / rate);
  const start = options.startPhase ?? 0;
  const modStep = options.modulationHz ? (2 * Math.PI * options.modulationHz) / rate : 0;
  for (let i = 0; i < n; i++) {
    let v = 0;
    for (const step of steps) v += Math.sin(start + step * i);
    // 85 % modulation depth: clearly pulsating, never fully silent.
    if (modStep !== 0) v *= 0.575 + 0.425 * Math.sin(modStep * i);
    out[i] = Math.round(v * amplitude);
  }
  const fade = msToSamples(options.fadeMs ?? 5, rate);
  applyFade(out, 'in', fade);
  applyFade(out, 'out', fade);
  return out;
}

export interface BeepOptions {
  frequencyHz?: number;
  durationMs?: number;
  amplitude?: number;
}

/**
 * The beep played before a recording (`<Record playBeep>`): 1000 Hz for 250 ms by default,
 * at about -10 dBFS, faded so it starts and stops cleanly.
 */
export function beep(options: BeepOptions = {}): Int16Array {
  return generateTone(options.frequencyHz ?? 1000, options.durationMs ?? 250, {
    amplitude: options.amplitude ?? 0.3,
    fadeMs: 5,
  });
}

/** The beep as 20 ms frames at 48 kHz, ready to send. */
export function beepFrames(options: BeepOptions = {}): Int16Array[] {
  return [...framesOf(beep(options))];
}

/**
 * Power of one frequency in a block (generalised Goertzel: any frequency, not only bin
 * centres), normalised so a full-block sinusoid of amplitude A gives about (A/2)^2.
 */
export function goertzel(
  samples: ArrayLike<number>,
  frequencyHz: number,
  sampleRate = SAMPLE_RATE,
  start = 0,
  end = samples.length,
): number {
  const n = end - start;
  if (n <= 0) return 0;
  const w = (2 * Math.PI * frequencyHz) / sampleRate;
  const coeff = 2 * Math.cos(w);
  let s1 = 0;
  let s2 = 0;
  for (let i = start; i < end; i++) {
    const s0 = (samples[i] as number) + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  return power / (n * n);
}

/** Amplitude (sample units) of a sinusoid at `frequencyHz` in the block. */
export function toneAmplitude(
  samples: ArrayLike<number>,
  frequencyHz: number,
  sampleRate = SAMPLE_RATE,
): number {
  return 2 * Math.sqrt(goertzel(samples, frequencyHz, sampleRate));
}

export interface DominantFrequencyOptions {
  minHz?: number;
  maxHz?: number;
  /** Analyse at most this many samples (from the middle of the block). */
  maxSamples?: number;
}

/**
 * The strongest frequency in a block: a Hann-windowed Goertzel scan in 5 Hz steps, then a
 * 0.25 Hz refinement around the peak. Meant for tests and diagnostics, not the hot path.
 */
export function dominantFrequency(
  samples: ArrayLike<number>,
  sampleRate = SAMPLE_RATE,
  options: DominantFrequencyOptions = {},
): number {
  const minHz = options.minHz ?? 50;
  const maxHz = Math.min(options.maxHz ?? 8000, sampleRate / 2 - 1);
  const limit = Math.min(samples.length, options.maxSamples ?? sampleRate);
  const offset = Math.floor((samples.length - limit) / 2);
  const windowed = new Float64Array(limit);
  for (let i = 0; i < limit; i++) {
    const hann = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / Math.max(1, limit - 1));
    windowed[i] = (samples[offset + i] as number) * hann;
  }
  const scan = (from: number, to: number, step: number): number => {
    let best = from;
    let bestPower = -1;
    for (let f = from; f <= to; f += step) {
      const p = goertzel(windowed, f, sampleRate);
      if (p > bestPower) {
        bestPower = p;
        best = f;
      }
    }
    return best;
  };
  const coarse = scan(minHz, maxHz, 5);
  return scan(Math.max(minHz, coarse - 5), Math.min(maxHz, coarse + 5), 0.25);
}

/** Number of whole 20 ms frames in `ms` (at least one). */
export function framesFor(ms: number): number {
  return Math.max(1, Math.round((ms * SAMPLE_RATE) / 1000 / FRAME_SAMPLES));
}

/** Sample rate of every PCM buffer the simulator handles (Opus's native rate). */
export const SAMPLE_RATE = 48_000;
/** Samples in one 20 ms frame at 48 kHz (WhatsApp's ptime). */
export const FRAME_SAMPLES = 960;
/** Default tone amplitude as a fraction of full scale (-10 dBFS peak, clear of clipping). */
export const DEFAULT_TONE_AMPLITUDE = 0.316;

/**
 * A continuous sine generator. It keeps its phase between calls so that frames generated
 * one after another join without clicks (a click would smear the spectrum).
 */
export class ToneGenerator {
  private phase = 0;

  constructor(
    readonly frequencyHz: number,
    readonly amplitude = DEFAULT_TONE_AMPLITUDE,
    readonly sampleRate = SAMPLE_RATE,
  ) {
    if (!Number.isFinite(frequencyHz) || frequencyHz <= 0 || frequencyHz >= sampleRate / 2) {
      throw new RangeError(`tone frequency must be in (0, ${sampleRate / 2}) Hz`);
    }
    if (!(amplitude > 0 && amplitude <= 1)) throw new RangeError('amplitude must be in (0, 1]');
  }

  /** The next `samples` samples of the tone. */
  next(samples: number): Int16Array {
    const out = new Int16Array(samples);
    const step = (2 * Math.PI * this.frequencyHz) / this.sampleRate;
    const peak = this.amplitude * 32767;
    for (let i = 0; i < samples; i += 1) {
      out[i] = Math.round(peak * Math.sin(this.phase));
      this.phase += step;
    }
    // Keep the phase small so precision does not drift over a long call.
    this.phase %= 2 * Math.PI;
    return out;
  }
}

/** A tone of a given length, e.g. for a WAV fixture. */
export function generateTone(
  frequencyHz: number,
  durationMs: number,
  options: { amplitude?: number; sampleRate?: number } = {},
): Int16Array {
  const sampleRate = options.sampleRate ?? SAMPLE_RATE;
  const generator = new ToneGenerator(frequencyHz, options.amplitude, sampleRate);
  return generator.next(Math.round((durationMs / 1000) * sampleRate));
}

/** Mixes two tones (a DTMF pair, for instance) at the given amplitude each. */
export function generateDualTone(
  lowHz: number,
  highHz: number,
  durationMs: number,
  options: { amplitude?: number; sampleRate?: number } = {},
): Int16Array {
  const amplitude = options.amplitude ?? DEFAULT_TONE_AMPLITUDE / 2;
  const a = generateTone(lowHz, durationMs, { ...options, amplitude });
  const b = generateTone(highHz, durationMs, { ...options, amplitude });
  const out = new Int16Array(a.length);
  for (let i = 0; i < a.length; i += 1) out[i] = (a[i] ?? 0) + (b[i] ?? 0);
  return out;
}

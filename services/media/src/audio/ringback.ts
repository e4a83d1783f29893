import { FRAME_SAMPLES, msToSamples } from './pcm';
import { generateTone } from './tones';

/**
 * Ringback ("ringing") tones per country, from ITU-T E.180 Supplement 2 as implemented by
 * Asterisk's indications.conf. `frequencies` are summed; `modulationHz` marks E.180's
 * "f1*f2" tones (a carrier amplitude-modulated at a low rate). `cadenceMs` alternates
 * on, off, on, off... and repeats until the prompt is stopped.
 */
export interface RingbackSpec {
  description: string;
  frequencies: readonly number[];
  modulationHz?: number;
  cadenceMs: readonly number[];
}

const UK_CADENCE = [400, 200, 400, 2000] as const;

export const RINGBACK_TONES: Readonly<Record<string, RingbackSpec>> = {
  us: { description: 'United States / Canada', frequencies: [440, 480], cadenceMs: [2000, 4000] },
  ca: { description: 'Canada', frequencies: [440, 480], cadenceMs: [2000, 4000] },
  gb: { description: 'United Kingdom', frequencies: [400, 450], cadenceMs: UK_CADENCE },
  ie: { description: 'Ireland', frequencies: [400, 450], cadenceMs: UK_CADENCE },
  au: { description: 'Australia', frequencies: [413, 438], cadenceMs: UK_CADENCE },
  nz: { description: 'New Zealand', frequencies: [400, 450], cadenceMs: UK_CADENCE },
  in: {
    description: 'India',
    frequencies: [400],
    modulationHz: 25,
    cadenceMs: UK_CADENCE,
  },
  za: { description: 'South Africa', frequencies: [400], modulationHz: 33, cadenceMs: UK_CADENCE },
  sg: { description: 'Singapore', frequencies: [425], modulationHz: 24, cadenceMs: UK_CADENCE },
  my: { description: 'Malaysia', frequencies: [425], cadenceMs: UK_CADENCE },
  jp: { description: 'Japan', frequencies: [400], modulationHz: 16, cadenceMs: [1000, 2000] },
  de: { description: 'Germany', frequencies: [425], cadenceMs: [1000, 4000] },
  fr: { description: 'France', frequencies: [440], cadenceMs: [1500, 3500] },
  it: { description: 'Italy', frequencies: [425], cadenceMs: [1000, 4000] },
  es: { description: 'Spain', frequencies: [425], cadenceMs: [1500, 3000] },
  nl: { description: 'Netherlands', frequencies: [425], cadenceMs: [1000, 4000] },
  be: { description: 'Belgium', frequencies: [425], cadenceMs: [1000, 3000] },
  ch: { description: 'Switzerland', frequencies: [425], cadenceMs: [1000, 4000] },
  at: { description: 'Austria', frequencies: [420], cadenceMs: [1000, 5000] },
  pt: { description: 'Portugal', frequencies: [425], cadenceMs: [1000, 5000] },
  se: { description: 'Sweden', frequencies: [425], cadenceMs: [1000, 5000] },
  no: { description: 'Norway', frequencies: [425], cadenceMs: [1000, 4000] },
  dk: { description: 'Denmark', frequencies: [425], cadenceMs: [1000, 4000] },
  fi: { description: 'Finland', frequencies: [425], cadenceMs: [1000, 4000] },
  pl: { description: 'Poland', frequencies: [425], cadenceMs: [1000, 4000] },
  ru: { description: 'Russia', frequencies: [425], cadenceMs: [1000, 4000] },
  br: { description: 'Brazil', frequencies: [425], cadenceMs: [1000, 4000] },
  mx: { description: 'Mexico', frequencies: [425], cadenceMs: [1000, 4000] },
  cl: { description: 'Chile', frequencies: [400], cadenceMs: [1000, 3000] },
  cn: { description: 'China', frequencies: [450], cadenceMs: [1000, 4000] },
  il: { description: 'Israel', frequencies: [414], cadenceMs: [1000, 3000] },
  ph: { description: 'Philippines', frequencies: [425, 480], cadenceMs: [1000, 4000] },
  th: { description: 'Thailand', frequencies: [420], cadenceMs: [1000, 5000] },
};

/** The tone for a country code (ISO 3166 alpha-2, any case; `uk` means `gb`); US when unknown. */
export function ringbackSpec(country: string): RingbackSpec & { country: string } {
  let code = country.trim().toLowerCase();
  if (code === 'uk') code = 'gb';
  const spec = RINGBACK_TONES[code];
  if (spec) return { ...spec, country: code };
  return { ...(RINGBACK_TONES.us as RingbackSpec), country: 'us' };
}

const cycles = new Map<string, Int16Array>();

/**
 * One full cadence cycle at 48 kHz, built once per country and shared (read-only). Its
 * length is a whole number of 20 ms frames, so frames can be cut from it without copying.
 */
export function ringbackCycle(country: string): Int16Array {
  const spec = ringbackSpec(country);
  const cached = cycles.get(spec.country);
  if (cached) return cached;
  const totalMs = spec.cadenceMs.reduce((a, b) => a + b, 0);
  const frames = Math.ceil(msToSamples(totalMs) / FRAME_SAMPLES);
  const cycle = new Int16Array(frames * FRAME_SAMPLES);
  // About -16 dBFS RMS whatever the number of components.
  const amplitude = 0.22 / Math.sqrt(spec.frequencies.length);
  let offset = 0;
  spec.cadenceMs.forEach((ms, i) => {
    if (i % 2 === 0) {
      const burst = generateTone(spec.frequencies, ms, {
        amplitude,
        fadeMs: 5,
        ...(spec.modulationHz ? { modulationHz: spec.modulationHz } : {}),
      });
      cycle.set(burst, offset);
    }
    offset += msToSamples(ms);
  });
  cycles.set(spec.country, cycle);
  return cycle;
}

/** Endless 20 ms frames of a country's ringback (views of the shared cycle: read-only). */
export function* ringbackFrames(country: string): Generator<Int16Array, never, undefined> {
  const cycle = ringbackCycle(country);
  for (;;) {
    for (let offset = 0; offset < cycle.length; offset += FRAME_SAMPLES) {
      yield cycle.subarray(offset, offset + FRAME_SAMPLES);
    }
  }
}

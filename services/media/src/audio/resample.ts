import { clampInt16 } from './pcm';

/**
 * Band-limited sample-rate conversion: a polyphase windowed-sinc (Kaiser) interpolator for
 * any rational ratio. The anti-aliasing cut-off follows the lower of the two rates, so
 * downsampling (48 kHz -> 16 kHz for recordings) does not alias and upsampling
 * (22.05 kHz TTS -> 48 kHz) does not image.
 *
 * Streaming and zero-delay: output sample n is the input evaluated at time n * in/out, so
 * `resample()` of a whole buffer is time-aligned with its input, and a streamed conversion
 * (`process` chunk by chunk, then `flush`) yields exactly the same samples.
 */

export type ResamplerQuality = 'fast' | 'standard' | 'high';

interface QualitySpec {
  /** Zero crossings of the sinc on each side of the centre (at the lower rate). */
  zeroCrossings: number;
  /** Kaiser window beta: higher is more stop-band rejection, wider transition band. */
  beta: number;
  /** Cut-off as a fraction of the lower Nyquist frequency. */
  rolloff: number;
}

const QUALITY: Record<ResamplerQuality, QualitySpec> = {
  fast: { zeroCrossings: 8, beta: 6, rolloff: 0.9 },
  standard: { zeroCrossings: 16, beta: 8, rolloff: 0.92 },
  high: { zeroCrossings: 32, beta: 9.5, rolloff: 0.95 },
};

/** Above this many phases, a phase is rounded to the nearest of MAX_PHASES (error < -70 dB). */
const MAX_PHASES = 1024;

interface FilterTable {
  /** Upsampling factor L and downsampling factor M of the reduced ratio out/in = L/M. */
  up: number;
  down: number;
  phases: number;
  taps: number;
  /** Taps on the left of the centre, minus one: first tap is at floor(t) - half + 1. */
  half: number;
  coefficients: Float32Array;
}

const tableCache = new Map<string, FilterTable>();

function gcd(a: number, b: number): number {
  while (b !== 0) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a;
}

/** Modified Bessel function of the first kind, order 0 (series; converges fast for beta < 20). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const half = x / 2;
  for (let k = 1; k < 50; k++) {
    term *= (half / k) * (half / k);
    sum += term;
    if (term < sum * 1e-12) break;
  }
  return sum;
}

function filterTable(inRate: number, outRate: number, quality: ResamplerQuality): FilterTable {
  const divisor = gcd(inRate, outRate);
  const up = outRate / divisor;
  const down = inRate / divisor;
  const key = `${up}/${down}/${quality}`;
  const cached = tableCache.get(key);
  if (cached) return cached;

  const spec = QUALITY[quality];
  const ratio = Math.min(1, outRate / inRate);
  const cutoff = ratio * spec.rolloff; // relative to the input Nyquist
  const half = Math.ceil(spec.zeroCrossings / ratio);
  const taps = 2 * half;
  const phases = Math.min(up, MAX_PHASES);
  const coefficients = new Float32Array(phases * taps);
  const i0Beta = besselI0(spec.beta);
  for (let p = 0; p < phases; p++) {
    const frac = p / phases;
    let sum = 0;
    for (let k = 0; k < taps; k++) {
      // Distance, in input samples, from this tap to the output instant.
      const d = k - half + 1 - frac;
      const x = cutoff * d;
      const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
      const w = d / half;
      const window = Math.abs(w) >= 1 ? 0 : besselI0(spec.beta * Math.sqrt(1 - w * w)) / i0Beta;
      const c = cutoff * sinc * window;
      coefficients[p * taps + k] = c;
      sum += c;
    }
    // Unity gain at DC for every phase: no ripple on low-frequency content.
    for (let k = 0; k < taps; k++) {
      const index = p * taps + k;
      coefficients[index] = (coefficients[index] as number) / sum;
    }
  }
  const table: FilterTable = { up, down, phases, taps, half, coefficients };
  tableCache.set(key, table);
  return table;
}

export class Resampler {
  private readonly table: FilterTable | null;
  /** Pending input (as float) with the filter's history in front of it. */
  private buffer: Float32Array;
  private length = 0;
  /** Index in `buffer` of the first tap of the next output sample. */
  private readIndex = 0;
  /** Fractional position of the next output, in units of 1/up input samples. */
  private acc = 0;
  private totalIn = 0;
  private totalOut = 0;
  private flushed = false;

  constructor(
    readonly inRate: number,
    readonly outRate: number,
    quality: ResamplerQuality = 'standard',
  ) {
    if (!Number.isInteger(inRate) || !Number.isInteger(outRate) || inRate <= 0 || outRate <= 0) {
      throw new RangeError(`sample rates must be positive integers (got ${inRate} -> ${outRate})`);
    }
    this.table = inRate === outRate ? null : filterTable(inRate, outRate, quality);
    const history = this.table ? this.table.half - 1 : 0;
    this.buffer = new Float32Array(Math.max(4096, history * 4));
    // The signal before the first sample is silence.
    this.length = history;
  }

  /** Upper bound of the samples the next `process(n samples)` call can return. */
  maxOutput(inputLength: number): number {
    const pending = this.length - this.readIndex + inputLength;
    return Math.ceil((pending * this.outRate) / this.inRate) + 2;
  }

  /**
   * Converts a chunk. `scale` maps the input to Int16 units (32768 for float PCM in
   * [-1, 1]). Returns a new array; `processInto` writes into a caller's buffer instead.
   */
  process(input: ArrayLike<number>, scale = 1): Int16Array {
    const out = new Int16Array(this.maxOutput(input.length));
    const n = this.processInto(input, out, 0, scale);
    return out.subarray(0, n);
  }

  /** Converts a chunk into `out` from `offset`; returns the number of samples written. */
  processInto(input: ArrayLike<number>, out: Int16Array, offset = 0, scale = 1): number {
    if (this.flushed) throw new Error('Resampler already flushed');
    this.append(input, scale);
    return this.drain(out, offset, Number.POSITIVE_INFINITY);
  }

  /**
   * Ends the stream: the samples still held back for the filter's look-ahead come out, so
   * the total output is exactly ceil(totalIn * out / in) samples.
   */
  flush(): Int16Array {
    if (this.flushed) return new Int16Array(0);
    this.flushed = true;
    const target = Math.ceil((this.totalIn * this.outRate) / this.inRate);
    const missing = target - this.totalOut;
    if (missing <= 0) return new Int16Array(0);
    if (this.table) this.appendZeros(this.table.taps);
    const out = new Int16Array(missing);
    const n = this.drain(out, 0, missing);
    return out.subarray(0, n);
  }

  /** Back to the initial state (same rates), e.g. to reuse for another stream. */
  reset(): void {
    const history = this.table ? this.table.half - 1 : 0;
    this.buffer.fill(0, 0, history);
    this.length = history;
    this.readIndex = 0;
    this.acc = 0;
    this.totalIn = 0;
    this.totalOut = 0;
    this.flushed = false;
  }

  private append(input: ArrayLike<number>, scale: number): void {
    this.compact(input.length);
    const buffer = this.buffer;
    let length = this.length;
    for (let i = 0; i < input.length; i++) buffer[length++] = (input[i] as number) * scale;
    this.length = length;
    this.totalIn += input.length;
  }

  private appendZeros(count: number): void {
    this.compact(count);
    this.buffer.fill(0, this.length, this.length + count);
    this.length += count;
  }

  /** Drops consumed samples and makes room for `incoming` more. */
  private compact(incoming: number): void {
    if (this.readIndex > 0) {
      this.buffer.copyWithin(0, this.readIndex, this.length);
      this.length -= this.readIndex;
      this.readIndex = 0;
    }
    if (this.length + incoming > this.buffer.length) {
      const grown = new Float32Array(Math.max(this.buffer.length * 2, this.length + incoming));
      grown.set(this.buffer.subarray(0, this.length));
      this.buffer = grown;
    }
  }

  private drain(out: Int16Array, offset: number, limit: number): number {
    const table = this.table;
    const buffer = this.buffer;
    let written = 0;
    if (!table) {
      const n = Math.min(this.length - this.readIndex, out.length - offset, limit);
      for (let i = 0; i < n; i++) {
        out[offset + i] = clampInt16(buffer[this.readIndex + i] as number);
      }
      this.readIndex += n;
      this.totalOut += n;
      return n;
    }
    const { up, down, phases, taps, coefficients } = table;
    const exactPhases = phases === up;
    const lastStart = this.length - taps;
    let readIndex = this.readIndex;
    let acc = this.acc;
    const capacity = Math.min(out.length - offset, limit);
    while (written < capacity && readIndex <= lastStart) {
      const phase = exactPhases ? acc : Math.floor((acc * phases) / up);
      const base = phase * taps;
      let sum = 0;
      for (let k = 0; k < taps; k++) {
        sum += (coefficients[base + k] as number) * (buffer[readIndex + k] as number);
      }
      // Inline clamp: this is the hot loop.
      const rounded = Math.round(sum);
      out[offset + written] = rounded > 32767 ? 32767 : rounded < -32768 ? -32768 : rounded;
      written++;
      acc += down;
      if (acc >= up) {
        readIndex += Math.floor(acc / up);
        acc %= up;
      }
    }
    // readIndex stays below `length`: a step is at most down/up < taps samples.
    this.readIndex = readIndex;
    this.acc = acc;
    this.totalOut += written;
    return written;
  }
}

/** Whole-buffer conversion (time-aligned, output length ceil(n * out / in)). */
export function resample(
  input: Int16Array,
  inRate: number,
  outRate: number,
  quality: ResamplerQuality = 'standard',
): Int16Array {
  if (inRate === outRate) return input.slice();
  const resampler = new Resampler(inRate, outRate, quality);
  const head = resampler.process(input);
  const tail = resampler.flush();
  const out = new Int16Array(head.length + tail.length);
  out.set(head);
  out.set(tail, head.length);
  return out;
}

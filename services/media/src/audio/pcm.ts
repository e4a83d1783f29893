/**
 * Parley's internal audio format and the small helpers every audio module shares:
 * PCM signed 16-bit, 48 kHz, mono, cut into 20 ms frames of 960 samples.
 */

export const SAMPLE_RATE = 48_000;
export const FRAME_MS = 20;
export const FRAME_SAMPLES = (SAMPLE_RATE * FRAME_MS) / 1000; // 960

const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Milliseconds of audio to a sample count at `rate` (rounded to the nearest sample). */
export function msToSamples(ms: number, rate = SAMPLE_RATE): number {
  return Math.round((ms * rate) / 1000);
}

export function clampInt16(value: number): number {
  if (value > 32767) return 32767;
  if (value < -32768) return -32768;
  return Math.round(value);
}

/** Root mean square of a block, in sample units (0..32768). */
export function rms(samples: Int16Array, start = 0, end = samples.length): number {
  const n = end - start;
  if (n <= 0) return 0;
  let sum = 0;
  for (let i = start; i < end; i++) {
    const s = samples[i] as number;
    sum += s * s;
  }
  return Math.sqrt(sum / n);
}

/** Level of an RMS value relative to full scale, in dBFS (-Infinity for digital silence). */
export function toDbfs(rmsValue: number): number {
  return rmsValue <= 0 ? -Infinity : 20 * Math.log10(rmsValue / 32768);
}

/** An RMS threshold (sample units) from a level in dBFS. */
export function fromDbfs(dbfs: number): number {
  return 32768 * Math.pow(10, dbfs / 20);
}

/**
 * Raised-cosine fade in place over the first `fadeSamples` samples (`direction: 'in'`) or
 * the last ones (`'out'`). Prompt boundaries are faded so that starting or ending a prompt
 * never produces a click.
 */
export function applyFade(
  samples: Int16Array,
  direction: 'in' | 'out',
  fadeSamples: number,
  offset = 0,
  length = samples.length - offset,
): void {
  const n = Math.min(fadeSamples, length);
  if (n <= 0) return;
  for (let i = 0; i < n; i++) {
    const gain = 0.5 - 0.5 * Math.cos((Math.PI * (i + 0.5)) / n);
    const index = direction === 'in' ? offset + i : offset + length - 1 - i;
    samples[index] = Math.round((samples[index] as number) * gain);
  }
}

/** Samples of one 20 ms frame at 48 kHz, all zero. Shared and read-only by convention. */
export const SILENT_FRAME: Int16Array = new Int16Array(FRAME_SAMPLES);

/**
 * Cuts a PCM buffer into 20 ms frames. Full frames are zero-copy views of `pcm` (callers
 * must treat them as read-only); a trailing partial frame is copied and padded with zeros.
 */
export function* framesOf(pcm: Int16Array): Generator<Int16Array, void, undefined> {
  let offset = 0;
  for (; offset + FRAME_SAMPLES <= pcm.length; offset += FRAME_SAMPLES) {
    yield pcm.subarray(offset, offset + FRAME_SAMPLES);
  }
  if (offset < pcm.length) {
    const last = new Int16Array(FRAME_SAMPLES);
    last.set(pcm.subarray(offset));
    yield last;
  }
}

/** Concatenates Int16 chunks into one array. */
export function concatInt16(chunks: readonly Int16Array[]): Int16Array {
  let total = 0;
  for (const chunk of chunks) total += chunk.length;
  const out = new Int16Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/**
 * Little-endian bytes of Int16 samples: a zero-copy view on little-endian hosts (every
 * platform Parley runs on), a swapped copy otherwise.
 */
export function int16ToLeBytes(samples: Int16Array): Buffer {
  const view = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  if (HOST_IS_LITTLE_ENDIAN) return view;
  const copy = Buffer.from(view);
  copy.swap16();
  return copy;
}

/** Int16 samples from little-endian bytes (copied, so the result is aligned and owned). */
export function leBytesToInt16(bytes: Uint8Array): Int16Array {
  const count = bytes.byteLength >> 1;
  const out = new Int16Array(count);
  const outBytes = new Uint8Array(out.buffer);
  outBytes.set(bytes.subarray(0, count * 2));
  if (!HOST_IS_LITTLE_ENDIAN) Buffer.from(out.buffer).swap16();
  return out;
}

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parseWav, resample, tone } from './audio';
import { encodeMulaw } from './mulaw';

const run = promisify(execFile);

export interface Greeting {
  /** 8 kHz mu-law. */
  audio: Buffer;
  /** What made it: espeak-ng speaking `text`, or two tones when espeak-ng is missing. */
  source: 'espeak-ng' | 'tone';
}

/**
 * The greeting, made at start: `text` spoken by espeak-ng (its WAV on stdout, brought to
 * 8 kHz mu-law), or, when espeak-ng is not installed or fails, a two-tone chime.
 */
export async function makeGreeting(
  text: string,
  opts: { espeak?: string } = {},
): Promise<Greeting> {
  try {
    const { stdout } = await run(opts.espeak ?? 'espeak-ng', ['--stdout', '-s', '160', text], {
      encoding: 'buffer',
      maxBuffer: 32 * 1024 * 1024,
      timeout: 20_000,
    });
    const wav = parseWav(stdout);
    return { audio: encodeMulaw(resample(wav.samples, wav.sampleRate, 8000)), source: 'espeak-ng' };
  } catch {
    return { audio: chime(), source: 'tone' };
  }
}

/** 660 Hz then 880 Hz, 250 ms each. */
export function chime(): Buffer {
  const a = tone(660, 250);
  const b = tone(880, 250);
  const both = new Int16Array(a.length + b.length);
  both.set(a);
  both.set(b, a.length);
  return encodeMulaw(both);
}

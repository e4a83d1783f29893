import { parseWav, resample, tone } from './audio';

/** Zero crossings per second: twice the frequency of a pure tone. */
function frequencyOf(samples: Int16Array, rate: number): number {
  let crossings = 0;
  for (let i = 1; i < samples.length; i++) {
    if (samples[i - 1]! < 0 !== samples[i]! < 0) crossings++;
  }
  return crossings / 2 / (samples.length / rate);
}

function wav(samples: Int16Array, rate: number, dataSize = samples.length * 2): Buffer {
  const out = Buffer.alloc(44 + samples.length * 2);
  out.write('RIFF', 0, 'ascii');
  out.writeUInt32LE(36 + samples.length * 2, 4);
  out.write('WAVEfmt ', 8, 'ascii');
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(1, 20);
  out.writeUInt16LE(1, 22);
  out.writeUInt32LE(rate, 24);
  out.writeUInt32LE(rate * 2, 28);
  out.writeUInt16LE(2, 32);
  out.writeUInt16LE(16, 34);
  out.write('data', 36, 'ascii');
  out.writeUInt32LE(dataSize, 40);
  samples.forEach((s, i) => out.writeInt16LE(s, 44 + i * 2));
  return out;
}

describe('audio helpers', () => {
  it('makes a tone of the asked frequency and length at 8 kHz', () => {
    const t = tone(440, 500);
    expect(t.length).toBe(4000);
    expect(frequencyOf(t, 8000)).toBeCloseTo(440, -1);
  });

  it("reads a WAV, also one written to a pipe (espeak-ng's unset data size)", () => {
    const samples = Int16Array.from([1, -2, 3, -4]);
    expect(parseWav(wav(samples, 22050))).toEqual({ sampleRate: 22050, samples });
    expect(parseWav(wav(samples, 22050, 0xffffffff)).samples).toEqual(samples);
    expect(() => parseWav(Buffer.from('not a wav at all, clearly'))).toThrow('RIFF');
  });

  it("resamples espeak-ng's 22.05 kHz to 8 kHz keeping the pitch", () => {
    const n = 22050;
    const src = Int16Array.from({ length: n }, (_, i) =>
      Math.round(8000 * Math.sin((2 * Math.PI * 1000 * i) / 22050)),
    );
    const out = resample(src, 22050, 8000);
    expect(out.length).toBe(8000);
    expect(frequencyOf(out, 8000)).toBeCloseTo(1000, -1);
    // Above the new Nyquist frequency: filtered out, not folded back.
    const high = Int16Array.from({ length: n }, (_, i) =>
      Math.round(8000 * Math.sin((2 * Math.PI * 6000 * i) / 22050)),
    );
    const folded = resample(high, 22050, 8000);
    const rms = Math.sqrt(folded.reduce((a, s) => a + s * s, 0) / folded.length);
    expect(rms).toBeLessThan(800);
  });
});

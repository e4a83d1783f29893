import { generateTone } from './tone';
import { decodeWav, encodeWav, resample, toMono, WavFormatError, wavToMono48k } from './wav';
import { dominantFrequency } from './analysis';

describe('WAV', () => {
  it('round-trips PCM through a canonical WAV', () => {
    const pcm = generateTone(440, 50);
    const wav = encodeWav(pcm, 48000, 1);
    expect(wav.length).toBe(44 + pcm.length * 2);
    expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
    const decoded = decodeWav(wav);
    expect(decoded).toMatchObject({ sampleRate: 48000, channels: 1 });
    expect([...decoded.samples]).toEqual([...pcm]);
  });

  it('skips unknown chunks and reads stereo', () => {
    const stereo = new Int16Array([100, 300, -100, -300]);
    const plain = encodeWav(stereo, 8000, 2);
    const list = Buffer.concat([
      Buffer.from('LIST'),
      Buffer.from([4, 0, 0, 0]),
      Buffer.from('INFO'),
    ]);
    const withList = Buffer.concat([plain.subarray(0, 36), list, plain.subarray(36)]);
    withList.writeUInt32LE(withList.length - 8, 4);
    const decoded = decodeWav(withList);
    expect(decoded.channels).toBe(2);
    expect([...toMono(decoded)]).toEqual([200, -200]);
  });

  it('refuses what it cannot play', () => {
    expect(() => decodeWav(Buffer.from('not a wav at all'))).toThrow(WavFormatError);
    const eightBit = encodeWav(new Int16Array(4), 8000, 1);
    eightBit.writeUInt16LE(8, 34);
    expect(() => decodeWav(eightBit)).toThrow(/16-bit PCM/);
  });

  it('resamples to 48 kHz keeping the pitch', () => {
    const at16k = resample(generateTone(1000, 500), 48000, 16000);
    expect(at16k.length).toBe(8000);
    const back = wavToMono48k(encodeWav(at16k, 16000, 1));
    expect(back.length).toBe(24000);
    expect(Math.abs((dominantFrequency(back) ?? 0) - 1000)).toBeLessThan(2);
  });
});

import { generateTone, OpusEncoder } from '../audio';
import { type RtpView } from '../legs/rtp';
import { ChannelDecoder } from './channel-decoder';

describe('ChannelDecoder', () => {
  const encoder = new OpusEncoder();
  const tone = generateTone(440, 200);
  const payloads = Array.from({ length: 10 }, (_, i) =>
    encoder.encode(tone.subarray(i * 960, (i + 1) * 960)),
  );
  afterAll(() => encoder.delete());

  const packet = (seq: number, ts: number, payloadType = 111): RtpView => ({
    marker: false,
    payloadType,
    sequenceNumber: seq & 0xffff,
    timestamp: ts >>> 0,
    ssrc: 1,
    payload: payloads[seq % payloads.length] as Buffer,
  });

  it('places frames by their RTP timestamps, not by when they arrive', () => {
    let now = 5_000;
    const decoder = new ChannelDecoder(111, () => now);
    const first = decoder.decode(packet(65535, 0xffffff00));
    now += 300; // arrives late, after a jitter spike
    const second = decoder.decode(packet(0, 0xffffff00 + 960));
    expect(first).toHaveLength(1);
    expect(first[0]?.atMs).toBe(5_000);
    expect(second[0]?.atMs).toBe(5_020);
    expect(second[0]?.pcm).toHaveLength(960);
    decoder.dispose();
  });

  it('conceals short losses in place and ignores duplicates and DTMF', () => {
    const decoder = new ChannelDecoder(111, () => 0);
    decoder.decode(packet(1, 0));
    const afterLoss = decoder.decode(packet(4, 3 * 960));
    expect(afterLoss.map((f) => f.atMs)).toEqual([20, 40, 60]);
    expect(decoder.decode(packet(4, 3 * 960))).toEqual([]);
    expect(decoder.decode(packet(5, 4 * 960, 126))).toEqual([]);
    decoder.dispose();
  });
});

import { readRtp, seqDiff, tsDiff, writeRtp } from './rtp';

describe('RTP headers', () => {
  it('round-trips the fields the media path uses', () => {
    const packet = writeRtp({
      marker: true,
      payloadType: 111,
      sequenceNumber: 65535,
      timestamp: 0xfffffff0,
      ssrc: 0xdeadbeef,
      payload: Buffer.from([1, 2, 3]),
    });
    expect(packet.length).toBe(15);
    expect(readRtp(packet)).toEqual({
      marker: true,
      payloadType: 111,
      sequenceNumber: 65535,
      timestamp: 0xfffffff0,
      ssrc: 0xdeadbeef,
      payload: Buffer.from([1, 2, 3]),
    });
  });

  it('skips CSRCs and header extensions and drops padding', () => {
    const header = Buffer.from([
      0xb1,
      0x6f,
      0,
      1,
      0,
      0,
      0,
      2,
      0,
      0,
      0,
      3, // V=2 P=1 X=1 CC=1, PT 111
      0,
      0,
      0,
      9, // one CSRC
      0xbe,
      0xde,
      0,
      1,
      0x10,
      0xff,
      0,
      0, // one-byte extension, one word
    ]);
    const packet = Buffer.concat([header, Buffer.from([7, 8, 0, 2])]); // 2 bytes of padding
    expect(readRtp(packet)?.payload).toEqual(Buffer.from([7, 8]));
  });

  it('is not fooled by non-RTP bytes', () => {
    expect(readRtp(Buffer.from([0x00, 1, 2]))).toBeUndefined();
    expect(readRtp(Buffer.alloc(12))).toBeUndefined(); // version 0
  });

  it('compares sequence numbers and timestamps across wrap-around', () => {
    expect(seqDiff(2, 65534)).toBe(4);
    expect(seqDiff(65534, 2)).toBe(-4);
    expect(tsDiff(10, 0xfffffff6)).toBe(20);
  });
});

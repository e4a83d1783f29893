import { rtpQuality } from './rtp-quality';

describe('rtpQuality', () => {
  it("turns RTCP's 8-bit loss fraction into a share and jitter into seconds", () => {
    expect(
      rtpQuality({ packetCount: 950, packetsLost: 50, fractionLost: 13, jitter: 480 }, 48_000),
    ).toEqual({ packets: 950, packetsLost: 50, fractionLost: 13 / 256, jitterSeconds: 0.01 });
  });

  it('keeps the values in range whatever the worker reports', () => {
    expect(
      rtpQuality({ packetCount: 10, packetsLost: -3, fractionLost: 300, jitter: -1 }, 48_000),
    ).toEqual({ packets: 10, packetsLost: 0, fractionLost: 1, jitterSeconds: 0 });
  });

  it('has no jitter when the statistic has none', () => {
    expect(rtpQuality({ packetCount: 1, packetsLost: 0, fractionLost: 0 }, 48_000)).toMatchObject({
      jitterSeconds: null,
    });
  });
});

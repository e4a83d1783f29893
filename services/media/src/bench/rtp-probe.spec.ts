import { RtpProbe } from './rtp-probe';

describe('RtpProbe', () => {
  it('sees no loss and no jitter in a perfectly paced stream', () => {
    const probe = new RtpProbe();
    for (let i = 0; i < 100; i++) probe.onPacket((65500 + i) & 0xffff, i * 960, 1000 + i * 20);
    expect(probe.counts).toEqual({ expected: 100, received: 100 });
    expect(probe.jitterMs).toBeCloseTo(0, 6);
  });

  it('counts lost packets across a sequence wrap', () => {
    const probe = new RtpProbe();
    for (let i = 0; i < 100; i++)
      if (i % 10 !== 5) probe.onPacket((65530 + i) & 0xffff, i * 960, i * 20);
    expect(probe.counts).toEqual({ expected: 100, received: 90 });
  });

  it('never counts a duplicate or a packet from before the first: loss is never negative', () => {
    const probe = new RtpProbe();
    for (let i = 10; i < 20; i++) probe.onPacket(i, i * 960, i * 20);
    probe.onPacket(15, 15 * 960, 400); // a duplicate
    probe.onPacket(9, 9 * 960, 401); // late, from before the first packet seen
    expect(probe.counts).toEqual({ expected: 10, received: 10 });
    probe.reset();
    probe.onPacket(21, 21 * 960, 420);
    probe.onPacket(20, 20 * 960, 421); // reordered across the reset
    probe.onPacket(22, 22 * 960, 440);
    expect(probe.counts).toEqual({ expected: 2, received: 2 });
  });

  it('converges on the mean deviation of arrival times', () => {
    const probe = new RtpProbe();
    // Arrivals alternate 5 ms early and late: |D| = 10 ms every packet.
    for (let i = 0; i < 500; i++) probe.onPacket(i, i * 960, i * 20 + (i % 2 ? 5 : -5));
    expect(probe.jitterMs).toBeCloseTo(10, 1);
  });
});

import {
  DtmfDetector,
  type DtmfEvent,
  type DtmfPacket,
  dtmfEventCode,
  dtmfEventPackets,
  dtmfSchedule,
} from './dtmf';

/** A simulated network: sends each packet series with a timestamp, a clock and losses. */
function deliver(
  detector: DtmfDetector,
  presses: Array<{ packets: DtmfPacket[]; timestamp: number; startMs: number }>,
  mangle: (packets: DtmfPacket[], pressIndex: number) => DtmfPacket[] = (p) => p,
): DtmfEvent[] {
  const events: DtmfEvent[] = [];
  presses.forEach(({ packets, timestamp, startMs }, pressIndex) => {
    for (const packet of mangle(packets, pressIndex)) {
      const now = startMs + packet.sendAtMs;
      for (const e of detector.flush(now)) events.push(e);
      const e = detector.push(packet.payload, timestamp, now);
      if (e) events.push(e);
    }
  });
  events.push(...detector.flush(Number.POSITIVE_INFINITY));
  return events;
}

function press(digit: string, timestamp: number, startMs: number, durationMs = 160) {
  return { packets: dtmfEventPackets(digit, { durationMs }), timestamp, startMs };
}

describe('dtmfEventPackets (RFC 4733)', () => {
  it('starts with the marker, updates every 20 ms and ends with three E packets', () => {
    const packets = dtmfEventPackets('5', { durationMs: 160, volume: 10 });
    expect(packets).toHaveLength(7 + 3);
    expect(packets.map((p) => p.marker)).toEqual([true, ...new Array<boolean>(9).fill(false)]);
    expect(packets.map((p) => p.durationSamples8k)).toEqual([
      160, 320, 480, 640, 800, 960, 1120, 1280, 1280, 1280,
    ]);
    expect(packets.map((p) => p.end)).toEqual([
      ...new Array<boolean>(7).fill(false),
      true,
      true,
      true,
    ]);
    expect(packets.map((p) => p.sendAtMs)).toEqual([0, 20, 40, 60, 80, 100, 120, 140, 160, 180]);
    // event 5, E=0, volume 10, duration 160 -- then E=1 with the final duration.
    expect([...(packets[0]?.payload ?? [])]).toEqual([5, 10, 0x00, 0xa0]);
    expect([...(packets[9]?.payload ?? [])]).toEqual([5, 0x80 | 10, 0x05, 0x00]);
  });

  it('codes * # and A-D and refuses anything else', () => {
    expect(['*', '#', 'A', 'd'].map(dtmfEventCode)).toEqual([10, 11, 12, 15]);
    expect(() => dtmfEventCode('w')).toThrow(RangeError);
    expect(() => dtmfEventPackets('1', { durationMs: 10 })).toThrow(RangeError);
    expect(() => dtmfEventPackets('1', { volume: 64 })).toThrow(RangeError);
  });
});

describe('dtmfSchedule', () => {
  it('spaces tones and turns w into half-second pauses', () => {
    const schedule = dtmfSchedule('12w3', { toneMs: 100, gapMs: 50 });
    expect(schedule.digits).toEqual([
      { digit: '1', atMs: 0, durationMs: 100 },
      { digit: '2', atMs: 150, durationMs: 100 },
      { digit: '3', atMs: 750, durationMs: 100 },
    ]);
    expect(schedule.totalMs).toBe(850);
    expect(dtmfSchedule('ww').totalMs).toBe(1000);
    expect(() => dtmfSchedule('12x')).toThrow(RangeError);
  });
});

describe('DtmfDetector', () => {
  it('reports each press exactly once, with its duration', () => {
    const events = deliver(new DtmfDetector(), [
      press('1', 1000, 0),
      press('2', 5000, 500, 200),
      press('#', 9000, 1000),
    ]);
    expect(events).toEqual([
      { digit: '1', durationMs: 160 },
      { digit: '2', durationMs: 200 },
      { digit: '#', durationMs: 160 },
    ]);
  });

  it('ignores duplicated packets and retransmitted end packets', () => {
    const events = deliver(
      new DtmfDetector(),
      [press('7', 1000, 0), press('7', 3000, 400)],
      (packets) => packets.flatMap((p) => [p, p]),
    );
    expect(events).toEqual([
      { digit: '7', durationMs: 160 },
      { digit: '7', durationMs: 160 },
    ]);
  });

  it('picks up a press whose start packet was lost', () => {
    const events = deliver(new DtmfDetector(), [press('4', 1000, 0)], (packets) =>
      packets.slice(2),
    );
    expect(events).toEqual([{ digit: '4', durationMs: 160 }]);
  });

  it('reports a press whose end packets were all lost when the next one starts', () => {
    const detector = new DtmfDetector({ endTimeoutMs: 10_000 });
    const events = deliver(detector, [press('8', 1000, 0), press('9', 2600, 300)], (packets, i) =>
      i === 0 ? packets.filter((p) => !p.end) : packets,
    );
    expect(events).toEqual([
      { digit: '8', durationMs: 140 }, // the last update seen: 1120 units
      { digit: '9', durationMs: 160 },
    ]);
  });

  it('reports a press whose end packets were all lost after the timeout', () => {
    const detector = new DtmfDetector({ endTimeoutMs: 300 });
    for (const p of dtmfEventPackets('3').filter((p) => !p.end)) {
      expect(detector.push(p.payload, 42, p.sendAtMs)).toBeNull();
    }
    expect(detector.flush(200)).toEqual([]);
    expect(detector.flush(120 + 300)).toEqual([{ digit: '3', durationMs: 140 }]);
    // A late end packet of that press is not a new press.
    const late = dtmfEventPackets('3').find((p) => p.end);
    expect(late && detector.push(late.payload, 42, 500)).toBeNull();
    expect(detector.flush(Number.POSITIVE_INFINITY)).toEqual([]);
  });

  it('keeps order when one packet ends a press and completes another', () => {
    const detector = new DtmfDetector();
    const first = dtmfEventPackets('1').filter((p) => !p.end);
    for (const p of first) detector.push(p.payload, 100, p.sendAtMs);
    // Only an end packet of the next press arrives.
    const end = dtmfEventPackets('2').find((p) => p.end);
    expect(end && detector.push(end.payload, 900, 400)).toEqual({ digit: '1', durationMs: 140 });
    expect(detector.flush(401)).toEqual([{ digit: '2', durationMs: 160 }]);
  });

  it('counts durations in the payload clock (8 kHz), not the audio clock', () => {
    const detector = new DtmfDetector({ clockRate: 48_000 });
    const end = dtmfEventPackets('0', { durationMs: 480 }).find((p) => p.end);
    // 480 ms at 8 kHz is 3840 units; read at 48 kHz that would be 80 ms.
    expect(end && detector.push(end.payload, 1, 0)).toEqual({ digit: '0', durationMs: 80 });
  });

  it('ignores non-DTMF events and short payloads', () => {
    const detector = new DtmfDetector();
    expect(detector.push(Buffer.from([16, 0x80, 0, 160]), 1, 0)).toBeNull(); // flash
    expect(detector.push(Buffer.from([1, 0x80]), 2, 0)).toBeNull();
    expect(detector.flush(Number.POSITIVE_INFINITY)).toEqual([]);
  });
});

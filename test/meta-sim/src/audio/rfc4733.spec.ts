import {
  decodeTelephoneEvent,
  digitToEvent,
  DtmfEventCollector,
  encodeTelephoneEvent,
  eventToDigit,
} from './rfc4733';

const packet = (event: number, duration: number, end = false): Buffer =>
  encodeTelephoneEvent({ event, end, volume: 10, duration });

describe('RFC 4733 telephone-events', () => {
  it('encodes and decodes the 4-byte payload', () => {
    const bytes = encodeTelephoneEvent({ event: 11, end: true, volume: 10, duration: 1280 });
    expect([...bytes]).toEqual([11, 0x8a, 0x05, 0x00]);
    expect(decodeTelephoneEvent(bytes)).toEqual({
      event: 11,
      end: true,
      volume: 10,
      duration: 1280,
    });
    expect(decodeTelephoneEvent(Buffer.from([1, 2]))).toBeNull();
  });

  it('maps digits and events both ways', () => {
    expect('0123456789*#ABCD'.split('').map(digitToEvent)).toEqual([...Array(16).keys()]);
    expect(digitToEvent('a')).toBe(12);
    expect(eventToDigit(11)).toBe('#');
    expect(eventToDigit(16)).toBeNull();
    expect(() => digitToEvent('x')).toThrow(RangeError);
  });

  it('reports a press once, at its first end packet, despite the retransmitted ends', () => {
    const collector = new DtmfEventCollector(8000);
    const ts = 123_456;
    expect(collector.push(ts, packet(5, 160))).toEqual([]);
    expect(collector.push(ts, packet(5, 320))).toEqual([]);
    expect(collector.push(ts, packet(5, 800, true))).toEqual([{ digit: '5', durationMs: 100 }]);
    expect(collector.push(ts, packet(5, 800, true))).toEqual([]);
    expect(collector.push(ts, packet(5, 800, true))).toEqual([]);
    expect(collector.push(ts + 9600, packet(1, 160, true))).toEqual([
      { digit: '1', durationMs: 20 },
    ]);
  });

  it('reports a press whose end packets were lost when the next one starts, or on flush', () => {
    const collector = new DtmfEventCollector(8000);
    collector.push(1000, packet(2, 160));
    collector.push(1000, packet(2, 480));
    expect(collector.push(5000, packet(3, 160))).toEqual([{ digit: '2', durationMs: 60 }]);
    expect(collector.pending).toBe(true);
    expect(collector.flush()).toEqual({ digit: '3', durationMs: 20 });
    expect(collector.flush()).toBeNull();
    // A late end packet of an event already reported is ignored.
    expect(collector.push(5000, packet(3, 800, true))).toEqual([]);
  });

  it('ignores non-DTMF events', () => {
    const collector = new DtmfEventCollector(8000);
    expect(collector.push(1, packet(16, 800, true))).toEqual([]);
  });
});

import { FRAME_TICKS, LegOutput } from './leg-output';
import { readRtp, seqDiff, tsDiff, type RtpView } from './rtp';

function harness() {
  let now = 1_000;
  const sent: RtpView[] = [];
  const output = new LegOutput({
    ssrc: 0x1234,
    now: () => now,
    send: (packet) => sent.push(readRtp(packet) as RtpView),
  });
  const frame = (seq: number, ts: number, marker = false): RtpView => ({
    marker,
    payloadType: 111,
    sequenceNumber: seq,
    timestamp: ts,
    ssrc: 999,
    payload: Buffer.from([0xf8]),
  });
  return {
    output,
    sent,
    frame,
    advance: (ms: number) => (now += ms),
  };
}

describe('LegOutput: one continuous stream, whatever the leg hears', () => {
  it('sends every source under its one SSRC with continuous sequence numbers', () => {
    const { output, sent, frame, advance } = harness();
    for (let i = 0; i < 3; i++, advance(20)) output.send('prompt', frame(100 + i, 5000 + i * 960));
    for (let i = 0; i < 3; i++, advance(20))
      output.send('peer:CA1', frame(40_000 + i, 77 + i * 960));
    output.send('silence', frame(7, 123));
    expect(new Set(sent.map((p) => p.ssrc))).toEqual(new Set([0x1234]));
    for (let i = 1; i < sent.length; i++) {
      expect(seqDiff(sent[i]!.sequenceNumber, sent[i - 1]!.sequenceNumber)).toBe(1);
    }
  });

  it('keeps time moving forward by the wall clock across a switch, never overlapping frames', () => {
    const { output, sent, frame, advance } = harness();
    output.send('prompt', frame(1, 0));
    advance(500); // half a second of nothing
    output.send('peer:CA1', frame(9, 123_456));
    expect(tsDiff(sent[1]!.timestamp, sent[0]!.timestamp)).toBe(500 * 48);
    advance(1); // a switch right after a packet still advances one frame
    output.send('prompt', frame(2, 960));
    expect(tsDiff(sent[2]!.timestamp, sent[1]!.timestamp)).toBe(FRAME_TICKS);
  });

  it('marks the first packet of each talkspurt, and keeps the source own markers', () => {
    const { output, sent, frame, advance } = harness();
    output.send('a', frame(1, 0));
    advance(20);
    output.send('a', frame(2, 960));
    advance(20);
    output.send('b', frame(1, 0));
    advance(20);
    output.send('b', frame(2, 960, true));
    expect(sent.map((p) => p.marker)).toEqual([true, false, true, true]);
  });

  it("keeps a source's own gaps (losses stay visible) and its timing", () => {
    const { output, sent, frame, advance } = harness();
    output.send('peer:CA1', frame(10, 1000));
    advance(60);
    output.send('peer:CA1', frame(13, 1000 + 3 * 960)); // two packets lost upstream
    expect(seqDiff(sent[1]!.sequenceNumber, sent[0]!.sequenceNumber)).toBe(3);
    expect(tsDiff(sent[1]!.timestamp, sent[0]!.timestamp)).toBe(3 * 960);
  });

  it('forwards a late packet without moving the stream back', () => {
    const { output, sent, frame, advance } = harness();
    output.send('p', frame(10, 0));
    output.send('p', frame(12, 1920));
    output.send('p', frame(11, 960)); // reordered upstream
    advance(20);
    output.send('p', frame(13, 2880));
    expect(seqDiff(sent[3]!.sequenceNumber, sent[1]!.sequenceNumber)).toBe(1);
  });

  it('starts a new talkspurt after an interruption, even from the same source', () => {
    const { output, sent, frame, advance } = harness();
    output.send('prompt', frame(1, 0));
    output.interrupt();
    advance(20);
    output.send('prompt', frame(2, 960));
    expect(sent[1]!.marker).toBe(true);
    expect(output.currentSource).toBe('prompt');
    expect(output.idleMs()).toBe(0);
  });
});

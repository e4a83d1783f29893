import { tone } from './audio';
import { type AgentMessage, EchoSession } from './echo-session';
import { encodeMulaw } from './mulaw';

const SID = `MZ${'1'.repeat(32)}`;
const SILENCE = Buffer.alloc(160, 0xff);
const LOUD = encodeMulaw(tone(440, 20, 12000));

function session(greetingFrames = 3, delayMs = 100) {
  const sent: AgentMessage[] = [];
  const s = new EchoSession((m) => sent.push(m), {
    greeting: Buffer.alloc(160 * greetingFrames, 0x55),
    delayMs,
  });
  const start = (format = 'audio/x-mulaw') =>
    s.handle({
      event: 'start',
      streamSid: SID,
      start: {
        streamSid: SID,
        customParameters: { lang: 'en' },
        mediaFormat: { encoding: format, sampleRate: 8000, channels: 1 },
      },
    });
  const hear = (frame: Buffer, track = 'inbound') =>
    s.handle({
      event: 'media',
      streamSid: SID,
      media: { track, payload: frame.toString('base64') },
    });
  return { s, sent, start, hear };
}

const kinds = (sent: AgentMessage[]) =>
  sent.map((m) => (m.event === 'mark' ? `mark:${m.mark.name}` : m.event));

describe('EchoSession', () => {
  it('greets on start: the greeting in 20 ms frames, then a greeting mark', () => {
    const { s, sent, start } = session(3);
    s.handle({ event: 'connected', protocol: 'Call', version: '1.0.0' });
    start();
    expect(kinds(sent)).toEqual(['media', 'media', 'media', 'mark:greeting']);
    expect(sent.every((m) => m.streamSid === SID)).toBe(true);
    expect(s.customParameters).toEqual({ lang: 'en' });
    expect(s.greeting).toBe(true);
  });

  it('says back what it heard delayMs later, once the greeting played, with a mark each second', () => {
    const { s, sent, start, hear } = session(1, 100); // 100 ms: 5 frames
    start();
    sent.length = 0;
    for (let i = 0; i < 5; i++) hear(SILENCE);
    expect(sent).toEqual([]); // the greeting is still playing
    s.handle({ event: 'mark', streamSid: SID, mark: { name: 'greeting' } });
    expect(s.greeting).toBe(false);
    const frames = Array.from({ length: 60 }, (_, i) => Buffer.alloc(160, i));
    for (const f of frames) hear(f);
    const media = sent.filter((m) => m.event === 'media');
    // The 5 silent frames held back are left out; then the first 55 of these, in order.
    expect(media).toHaveLength(55);
    expect(media.map((m) => Buffer.from(m.media.payload, 'base64')[0])).toEqual(
      frames.slice(0, 55).map((f) => f[0]),
    );
    expect(kinds(sent).filter((k) => k.startsWith('mark'))).toEqual(['mark:echo-1']);
    expect(kinds(sent).indexOf('mark:echo-1')).toBe(50);
  });

  it('shows what it hears and says to an onAudio tap', () => {
    const taps: string[] = [];
    const s = new EchoSession(() => undefined, {
      greeting: Buffer.alloc(0),
      delayMs: 20,
      onAudio: (direction, frame) => taps.push(`${direction}:${frame[0]}`),
    });
    s.handle({ event: 'start', streamSid: SID, start: { streamSid: SID } });
    for (const n of [1, 2, 3]) {
      s.handle({ event: 'media', media: { payload: Buffer.alloc(160, n).toString('base64') } });
    }
    expect(taps).toEqual(['heard:1', 'heard:2', 'said:1', 'heard:3', 'said:2']);
  });

  it('interrupts the greeting with clear when the caller speaks over it (barge-in)', () => {
    const { s, sent, start, hear } = session(50);
    start();
    sent.length = 0;
    hear(SILENCE);
    expect(sent).toEqual([]);
    hear(LOUD);
    expect(sent).toEqual([{ event: 'clear', streamSid: SID }]);
    expect(s.greeting).toBe(false);
  });

  it('ignores the outbound track of a both_tracks stream, and everything after stop', () => {
    const { s, sent, start, hear } = session(1, 20);
    start();
    s.handle({ event: 'mark', streamSid: SID, mark: { name: 'greeting' } });
    sent.length = 0;
    hear(LOUD, 'outbound');
    hear(LOUD, 'outbound');
    expect(sent).toEqual([]);
    s.handle({ event: 'stop', streamSid: SID, stop: {} });
    hear(LOUD);
    hear(LOUD);
    expect(sent).toEqual([]);
    expect(s.stopped).toBe(true);
    // Malformed messages are ignored.
    s.handle(null);
    s.handle({ event: 'media', media: {} });
    s.handle({ event: 'mark' });
  });

  it('greets in 16 kHz PCM on the wideband opt-in (twice the samples, 640-byte frames)', () => {
    const { sent, start } = session(2);
    start('audio/x-l16le');
    const media = sent.filter((m) => m.event === 'media');
    const bytes = media.reduce((n, m) => n + Buffer.from(m.media.payload, 'base64').length, 0);
    expect(bytes).toBe(2 * 160 * 2 * 2);
    expect(Buffer.from(media[0]!.media.payload, 'base64').length).toBe(640);
  });
});

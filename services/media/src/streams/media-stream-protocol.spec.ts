import { parseServerMessage, StreamMessageWriter } from './media-stream-protocol';

const ID = {
  streamSid: `MZ${'a'.repeat(32)}`,
  accountSid: `AC${'b'.repeat(32)}`,
  callSid: `CA${'c'.repeat(32)}`,
};

describe('Twilio Media Streams messages Parley sends', () => {
  it('numbers messages from 1 after `connected`, with Twilio’s field names and string numbers', () => {
    const writer = new StreamMessageWriter(ID);
    expect(JSON.parse(writer.connected())).toEqual({
      event: 'connected',
      protocol: 'Call',
      version: '1.0.0',
    });
    expect(
      JSON.parse(
        writer.start({
          ...ID,
          tracks: ['inbound'],
          customParameters: { who: 'Jane' },
          mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
        }),
      ),
    ).toEqual({
      event: 'start',
      sequenceNumber: '1',
      start: {
        ...ID,
        tracks: ['inbound'],
        customParameters: { who: 'Jane' },
        mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
      },
      streamSid: ID.streamSid,
    });
    const payload = new Uint8Array(160).fill(0xff);
    expect(JSON.parse(writer.media('inbound', 20.4, payload))).toEqual({
      event: 'media',
      sequenceNumber: '2',
      media: {
        track: 'inbound',
        chunk: '1',
        timestamp: '20',
        payload: Buffer.from(payload).toString('base64'),
      },
      streamSid: ID.streamSid,
    });
    // Chunks count per track; sequence numbers per stream.
    const chunkOf = (text: string) =>
      (JSON.parse(text) as { media: { chunk: string } }).media.chunk;
    expect(chunkOf(writer.media('outbound', 20, payload))).toBe('1');
    expect(chunkOf(writer.media('inbound', 40, payload))).toBe('2');
    expect(JSON.parse(writer.mark('greeting'))).toEqual({
      event: 'mark',
      sequenceNumber: '5',
      streamSid: ID.streamSid,
      mark: { name: 'greeting' },
    });
    expect(JSON.parse(writer.dtmf('7'))).toEqual({
      event: 'dtmf',
      streamSid: ID.streamSid,
      sequenceNumber: '6',
      dtmf: { track: 'inbound_track', digit: '7' },
    });
    expect(JSON.parse(writer.stop())).toEqual({
      event: 'stop',
      sequenceNumber: '7',
      stop: { accountSid: ID.accountSid, callSid: ID.callSid },
      streamSid: ID.streamSid,
    });
  });
});

describe('messages a stream’s server sends', () => {
  const parse = (value: unknown) =>
    parseServerMessage(typeof value === 'string' ? value : JSON.stringify(value), ID.streamSid);

  it('reads media, mark and clear as Pipecat’s Twilio serializer writes them', () => {
    const audio = Buffer.from([0xff, 0x7f, 0x00, 0x80]);
    expect(
      parse({
        event: 'media',
        streamSid: ID.streamSid,
        media: { payload: audio.toString('base64') },
      }),
    ).toEqual({ ok: true, message: { event: 'media', audio } });
    expect(parse({ event: 'mark', streamSid: ID.streamSid, mark: { name: 'end' } })).toEqual({
      ok: true,
      message: { event: 'mark', name: 'end' },
    });
    expect(parse({ event: 'clear', streamSid: ID.streamSid })).toEqual({
      ok: true,
      message: { event: 'clear' },
    });
  });

  it('ignores events Twilio does not define', () => {
    expect(parse({ event: 'transcript', text: 'hi' })).toEqual({ ok: true, message: null });
  });

  it.each([
    ['not JSON', '{nope', 'not JSON'],
    ['no event', { streamSid: ID.streamSid }, 'no event'],
    ['media without payload', { event: 'media', media: {} }, 'media: media.payload'],
    ['payload not base64', { event: 'media', media: { payload: '!!!!' } }, 'not base64'],
    ['mark without name', { event: 'mark', mark: {} }, 'mark: mark.name'],
    ['another stream', { event: 'clear', streamSid: `MZ${'0'.repeat(32)}` }, 'another stream'],
  ])('refuses %s with a reason', (_label, value, reason) => {
    const parsed = parse(value);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toContain(reason);
  });
});

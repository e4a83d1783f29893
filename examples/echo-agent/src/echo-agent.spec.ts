import WebSocket from 'ws';
import { type EchoAgent, startEchoAgent } from './echo-agent';

const SID = `MZ${'2'.repeat(32)}`;

/** Collects what the agent sends, and waits for a state of it (never for time). */
function client(url: string) {
  const socket = new WebSocket(url);
  const got: { event: string; media?: { payload: string }; mark?: { name: string } }[] = [];
  socket.on('message', (data: Buffer) => got.push(JSON.parse(data.toString('utf8')) as never));
  const until = (check: () => boolean) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out')), 10_000);
      const poll = () => {
        if (check()) {
          clearTimeout(timer);
          resolve();
        } else setImmediate(poll);
      };
      poll();
    });
  const opened = new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const send = (m: unknown) => socket.send(JSON.stringify(m));
  return { socket, got, until, opened, send };
}

describe('the echo agent over a real WebSocket', () => {
  let agent: EchoAgent;
  const logs: string[] = [];

  beforeAll(async () => {
    agent = await startEchoAgent({
      greeting: Buffer.alloc(320, 0x55),
      delayMs: 40,
      log: (l) => logs.push(l),
    });
  });

  afterAll(async () => {
    await agent.close();
  });

  it('greets, then echoes a Twilio Media Stream, and forgets the call when it closes', async () => {
    const c = client(agent.url);
    await c.opened;
    c.send({ event: 'connected', protocol: 'Call', version: '1.0.0' });
    c.send({
      event: 'start',
      sequenceNumber: '1',
      streamSid: SID,
      start: {
        streamSid: SID,
        accountSid: `AC${'0'.repeat(32)}`,
        callSid: `CA${'0'.repeat(32)}`,
        tracks: ['inbound'],
        customParameters: {},
        mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
      },
    });
    await c.until(() => c.got.some((m) => m.event === 'mark' && m.mark?.name === 'greeting'));
    expect(c.got.map((m) => m.event)).toEqual(['media', 'media', 'mark']);
    c.send({ event: 'mark', streamSid: SID, mark: { name: 'greeting' } });
    c.socket.send('not json');
    for (let chunk = 1; chunk <= 5; chunk++) {
      c.send({
        event: 'media',
        streamSid: SID,
        media: {
          track: 'inbound',
          chunk: String(chunk),
          payload: Buffer.alloc(160, chunk).toString('base64'),
        },
      });
    }
    // 40 ms held back: frames 1-3 come back once frames 3-5 arrived.
    await c.until(() => c.got.filter((m) => m.event === 'media').length === 5);
    const echoed = c.got.filter((m) => m.event === 'media').slice(2);
    expect(echoed.map((m) => Buffer.from(m.media!.payload, 'base64')[0])).toEqual([1, 2, 3]);
    expect(agent.sessions.size).toBe(1);
    c.socket.close();
    await c.until(() => agent.sessions.size === 0);
    expect(logs).toEqual([`call started: stream ${SID} (mulaw-8k)`, `call ended: stream ${SID}`]);
  });
});

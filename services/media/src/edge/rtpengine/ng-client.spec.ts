import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { bdecode, bencode, type DecodedDict } from './bencode';
import { NgClient, NgCommandError, NgTimeoutError } from './ng-client';

/** A stand-in for rtpengine's ng listener on a real loopback UDP socket. */
class FakeNgServer {
  readonly received: { cookie: string; body: DecodedDict }[] = [];
  private socket: Socket = createSocket('udp4');
  /** How many requests to ignore before answering (simulates loss). */
  drop = 0;
  reply: (body: DecodedDict) => Record<string, unknown> = () => ({ result: 'ok' });

  async start(): Promise<number> {
    this.socket.on('message', (msg: Buffer, from: RemoteInfo) => {
      const space = msg.indexOf(0x20);
      const cookie = msg.toString('latin1', 0, space);
      const body = bdecode(msg.subarray(space + 1)) as DecodedDict;
      this.received.push({ cookie, body });
      if (this.drop > 0) {
        this.drop--;
        return;
      }
      const answer = bencode(this.reply(body) as never);
      this.socket.send(Buffer.concat([Buffer.from(`${cookie} `), answer]), from.port, from.address);
    });
    await new Promise<void>((resolve) => this.socket.bind(0, '127.0.0.1', resolve));
    return this.socket.address().port;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

describe('NgClient', () => {
  let server: FakeNgServer;
  let client: NgClient;

  beforeEach(async () => {
    server = new FakeNgServer();
    const port = await server.start();
    client = new NgClient({ host: '127.0.0.1', port, timeoutMs: 100, retries: 2 });
  });

  afterEach(async () => {
    client.close();
    await server.stop();
  });

  it('sends a bencoded dictionary behind a cookie and returns the reply', async () => {
    server.reply = (body) => ({
      result: 'ok',
      sdp: `answer to ${JSON.stringify(body['call-id'])}`,
    });
    const reply = await client.request({ command: 'offer', 'call-id': 'CA1' });
    expect(reply).toEqual({ result: 'ok', sdp: 'answer to "CA1"' });
    expect(server.received[0]?.body).toEqual({ command: 'offer', 'call-id': 'CA1' });
  });

  it('gives every request its own cookie', async () => {
    await client.request({ command: 'ping' });
    await client.request({ command: 'ping' });
    const [a, b] = server.received;
    expect(a?.cookie).not.toEqual(b?.cookie);
  });

  it('retries a lost request with the same cookie, so rtpengine runs it once', async () => {
    server.drop = 2;
    await client.request({ command: 'delete', 'call-id': 'CA2' });
    expect(server.received).toHaveLength(3);
    expect(new Set(server.received.map((r) => r.cookie)).size).toBe(1);
  });

  it('gives up after the last retry', async () => {
    server.drop = 10;
    const error = await client.request({ command: 'ping' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NgTimeoutError);
    expect(error).toMatchObject({ attempts: 3, command: 'ping' });
  });

  it("turns rtpengine's error result into NgCommandError with its reason", async () => {
    server.reply = () => ({ result: 'error', 'error-reason': 'Unknown call-id' });
    await expect(client.request({ command: 'answer' })).rejects.toEqual(
      new NgCommandError('answer', 'Unknown call-id'),
    );
  });

  it('fails pending requests when closed', async () => {
    server.drop = 10;
    const pending = client.request({ command: 'ping' });
    client.close();
    await expect(pending).rejects.toBeInstanceOf(NgTimeoutError);
  });
});

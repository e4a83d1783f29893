import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { type AddressInfo } from 'node:net';
import { newSid, type StreamEndedV1 } from '@parley/contracts';
import { WebSocketServer, type WebSocket } from 'ws';
import { dominantFrequency, generateTone, linearToMuLaw, MULAW_TABLE, rms } from '../audio';
import { eventually, MediaHarness } from '../testing/media-harness';
import { TEST_ACCOUNT, userCallsIn, type ConnectedUser } from '../testing/whatsapp-user';

/** A received message, parsed, with when it arrived. */
interface Received {
  json: Record<string, unknown> & { event: string };
  at: number;
}

/** One connection the test's agent accepted. */
interface AgentConnection {
  socket: WebSocket;
  path: string;
  messages: Received[];
  closed: { code: number } | null;
}

/** The business's voice agent: a real WebSocket server that records everything. */
class Agent {
  readonly connections: AgentConnection[] = [];
  private server!: WebSocketServer;
  url = '';

  async start(): Promise<void> {
    this.server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => this.server.once('listening', resolve));
    this.url = `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    this.server.on('connection', (socket, req) => {
      const conn: AgentConnection = { socket, path: req.url ?? '', messages: [], closed: null };
      this.connections.push(conn);
      socket.on('message', (data: Buffer) =>
        conn.messages.push({
          json: JSON.parse(data.toString('utf8')) as Received['json'],
          at: performance.now(),
        }),
      );
      socket.on('close', (code) => (conn.closed = { code }));
    });
  }

  connection(path: string): Promise<AgentConnection> {
    return eventually(`a connection to ${path}`, () =>
      this.connections.find((c) => c.path === path),
    );
  }

  async stop(): Promise<void> {
    for (const c of this.connections) c.socket.terminate();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

function ofEvent(conn: AgentConnection, event: string): Received[] {
  return conn.messages.filter((m) => m.json.event === event);
}

/** The 8 kHz PCM of the `media` messages of one track. */
function audioOf(conn: AgentConnection, track: string): Int16Array {
  const bytes = Buffer.concat(
    ofEvent(conn, 'media')
      .map((m) => m.json.media as { track: string; payload: string })
      .filter((m) => m.track === track)
      .map((m) => Buffer.from(m.payload, 'base64')),
  );
  return Int16Array.from(bytes, (b) => MULAW_TABLE[b] as number);
}

/** `ms` of a tone as the server sends it: 8 kHz mu-law in 20 ms media messages. */
function toneMessages(streamSid: string, hz: number, ms: number): string[] {
  const mulaw = Uint8Array.from(generateTone(hz, ms, { sampleRate: 8000 }), (s) =>
    linearToMuLaw(s),
  );
  const messages: string[] = [];
  for (let offset = 0; offset < mulaw.length; offset += 160) {
    const payload = Buffer.from(mulaw.subarray(offset, offset + 160)).toString('base64');
    messages.push(JSON.stringify({ event: 'media', streamSid, media: { payload } }));
  }
  return messages;
}

function sendTone(conn: AgentConnection, streamSid: string, hz: number, ms: number): void {
  for (const message of toneMessages(streamSid, hz, ms)) conn.socket.send(message);
}

describe('Media Streams to a real WebSocket server', () => {
  let media: MediaHarness;
  let agent: Agent;
  const users: ConnectedUser[] = [];

  beforeAll(async () => {
    agent = new Agent();
    await agent.start();
    media = await MediaHarness.start({
      label: 'media_streams',
      env: {
        MEDIA_STREAM_ALLOW_PRIVATE_NETWORKS: '127.0.0.1/32',
        MEDIA_STREAM_HANDSHAKE_TIMEOUT_MS: '1000',
      },
    });
  });

  afterEach(async () => {
    for (const u of users.splice(0)) {
      await media.request('media.v1.leg.close', { callSid: u.callSid }).catch(() => undefined);
      await u.peer.close();
    }
  });

  afterAll(async () => {
    await media?.stop();
    await agent?.stop();
  });

  async function user(): Promise<ConnectedUser> {
    const u = await userCallsIn(media);
    users.push(u);
    return u;
  }

  function ended(streamSid: string): Promise<StreamEndedV1> {
    return media.waitForEvent('media.v1.stream.ended', (e) => e.streamSid === streamSid);
  }

  it('<Connect><Stream>: the agent hears the caller, the caller hears the agent, marks, clear, DTMF, agent hangs up', async () => {
    const { callSid, peer } = await user();
    peer.startTone(440);
    const streamSid = newSid('MZ');
    await media.request('media.v1.stream.start', {
      streamSid,
      accountSid: TEST_ACCOUNT,
      callSid,
      url: `${agent.url}/agent/connect`,
      bidirectional: true,
      customParameters: { customer: 'Jane', plan: 'gold' },
    });
    const conn = await agent.connection('/agent/connect');

    // connected, start (Twilio's fields), then 20 ms mu-law chunks of the caller's tone.
    await eventually('a second of caller audio', () =>
      ofEvent(conn, 'media').length >= 75 ? true : undefined,
    );
    expect(conn.messages[0]!.json).toEqual({
      event: 'connected',
      protocol: 'Call',
      version: '1.0.0',
    });
    expect(conn.messages[1]!.json).toEqual({
      event: 'start',
      sequenceNumber: '1',
      streamSid,
      start: {
        streamSid,
        accountSid: TEST_ACCOUNT,
        callSid,
        tracks: ['inbound'],
        customParameters: { customer: 'Jane', plan: 'gold' },
        mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
      },
    });
    const mediaMessages = ofEvent(conn, 'media').map(
      (m) =>
        m.json as unknown as {
          sequenceNumber: string;
          streamSid: string;
          media: Record<string, string>;
        },
    );
    mediaMessages.forEach((m, i) => {
      expect(m.streamSid).toBe(streamSid);
      expect(m.sequenceNumber).toBe(String(i + 2));
      expect(m.media.track).toBe('inbound');
      expect(m.media.chunk).toBe(String(i + 1));
      expect(Buffer.from(m.media.payload!, 'base64')).toHaveLength(160);
    });
    const stamps = mediaMessages.map((m) => Number(m.media.timestamp));
    expect(stamps.every((t, i) => i === 0 || t > stamps[i - 1]!)).toBe(true);
    const heardByAgent = audioOf(conn, 'inbound');
    expect(dominantFrequency(heardByAgent.subarray(-8000), 8000)).toBeCloseTo(440, -1);

    // The agent answers with a second of 660 Hz and a mark: the caller hears it, and the
    // mark comes back once that second has been played (paced in real time).
    peer.resetReceived();
    sendTone(conn, streamSid, 660, 1000);
    conn.socket.send(JSON.stringify({ event: 'mark', streamSid, mark: { name: 'reply-1' } }));
    const mark = await eventually('the mark echoed', () => ofEvent(conn, 'mark')[0]);
    expect(mark.json).toMatchObject({ event: 'mark', streamSid, mark: { name: 'reply-1' } });
    // Echoed once the audio before it went out: by then the caller has heard much of it
    // (an echo on arrival would find next to nothing received).
    expect(peer.analyse().durationMs).toBeGreaterThanOrEqual(250);
    await eventually('the caller hearing the agent', () =>
      peer.analyse().durationMs >= 900 ? true : undefined,
    );
    expect(peer.analyse().dominantFrequencyHz).toBeCloseTo(660, -1);

    // Barge-in: ten seconds queued, then clear: the mark behind them comes back at once.
    const heardBefore = peer.receivedPcm().length;
    sendTone(conn, streamSid, 880, 10_000);
    conn.socket.send(JSON.stringify({ event: 'mark', streamSid, mark: { name: 'long' } }));
    conn.socket.send(JSON.stringify({ event: 'clear', streamSid }));
    await eventually('the cleared mark', () =>
      ofEvent(conn, 'mark').find((m) => (m.json.mark as { name: string }).name === 'long'),
    );
    // Back without the ten queued seconds being played (48 kHz at the caller).
    expect((peer.receivedPcm().length - heardBefore) / 48).toBeLessThan(8_000);

    // A key press goes to the agent as Twilio's dtmf message.
    await peer.sendDigits('5');
    const dtmf = await eventually('the dtmf message', () => ofEvent(conn, 'dtmf')[0]);
    expect(dtmf.json).toMatchObject({
      event: 'dtmf',
      streamSid,
      dtmf: { track: 'inbound_track', digit: '5' },
    });

    // A malformed message is ignored; the stream goes on.
    conn.socket.send('{"event": "media", "media": {}}');
    const before = ofEvent(conn, 'media').length;
    await eventually('more caller audio', () =>
      ofEvent(conn, 'media').length > before + 10 ? true : undefined,
    );

    // The agent hangs up: the stream ends as closed, without error.
    conn.socket.close(1000);
    expect(await ended(streamSid)).toMatchObject({
      callSid,
      reason: 'closed',
      errorCode: null,
      errorMessage: null,
      bidirectional: true,
      statusCallback: null,
    });
    // Both ends of its life were announced (durably: JetStream publishes reach subscribers too).
    expect(
      media.eventsOf('media.v1.stream.started', (e) => e.streamSid === streamSid),
    ).toMatchObject([
      { callSid, accountSid: TEST_ACCOUNT, track: 'inbound_track', bidirectional: true },
    ]);
  });

  it('measures the latency a tone takes through Parley each way (printed)', async () => {
    const { callSid, peer } = await user();
    const streamSid = newSid('MZ');
    await media.request('media.v1.stream.start', {
      streamSid,
      accountSid: TEST_ACCOUNT,
      callSid,
      url: `${agent.url}/latency`,
      bidirectional: true,
    });
    const conn = await agent.connection('/latency');
    await eventually('silence from the caller', () =>
      ofEvent(conn, 'media').length >= 25 ? true : undefined,
    );
    const loud = (m: Received) => {
      const bytes = Buffer.from((m.json.media as { payload: string }).payload, 'base64');
      const pcm = Int16Array.from(bytes, (b) => MULAW_TABLE[b] as number);
      return rms(pcm) > 1000;
    };
    // Caller -> agent: from the frame the user starts a tone to the first loud media message.
    const seen = conn.messages.length;
    const toneAt = performance.now();
    peer.startTone(1000);
    const first = await eventually('the tone at the agent', () =>
      conn.messages.slice(seen).find((m) => m.json.event === 'media' && loud(m)),
    );
    const upMs = first.at - toneAt;
    peer.stopSpeaking();

    // Agent -> caller: from sending the tone to the first loud packet the user decodes
    // (polled on every turn of the event loop: the user runs in this process).
    const tone = toneMessages(streamSid, 660, 400);
    const sentAt = performance.now();
    for (const message of tone) conn.socket.send(message);
    // Cheap probes only (the last packet's arrival, then the new samples): a heavy one
    // would stall the media clock running in this same process.
    let checked = peer.receivedPcm().length;
    let lastPacket = peer.lastPacketReceivedAt;
    let onset = -1;
    let heardAt = 0;
    while (onset < 0 && performance.now() - sentAt < 10_000) {
      await new Promise(setImmediate);
      if (peer.lastPacketReceivedAt === lastPacket) continue;
      lastPacket = peer.lastPacketReceivedAt;
      const pcm = peer.receivedPcm();
      for (let i = checked; i + 480 <= pcm.length; i += 480) {
        if (rms(pcm.subarray(i, i + 480)) > 1000) {
          onset = i;
          heardAt = performance.now();
          break;
        }
      }
      checked = pcm.length;
    }
    expect(onset).toBeGreaterThan(0);
    const downMs = heardAt - sentAt;
    await eventually('the whole tone at the caller', () =>
      peer.receivedPcm().length > onset + 9600 ? true : undefined,
    );
    const pcm = peer.receivedPcm();
    expect(dominantFrequency(pcm.subarray(onset, onset + 9600), 48_000)).toBeCloseTo(660, -1);
    process.stdout.write(
      `stream latency: caller -> agent ${upMs.toFixed(1)} ms, agent -> caller ${downMs.toFixed(1)} ms ` +
        '(simulated user, rtpengine, mediasoup, Opus, resampling, mu-law, WebSocket)\n',
    );
    conn.socket.close(1000);
    await ended(streamSid);
  });

  it('<Start><Stream track="both_tracks">: both directions, and <Stop> sends stop and closes', async () => {
    const { callSid, peer } = await user();
    peer.startTone(1000);
    await media.request('media.v1.play.start', {
      callSid,
      playId: 'hold',
      source: { kind: 'ringback', country: 'us' },
      loop: 0,
    });
    const streamSid = newSid('MZ');
    await media.request('media.v1.stream.start', {
      streamSid,
      accountSid: TEST_ACCOUNT,
      callSid,
      url: `${agent.url}/fork`,
      name: 'fork',
      track: 'both_tracks',
      bidirectional: false,
    });
    const conn = await agent.connection('/fork');
    await eventually('a second of each track', () =>
      audioOf(conn, 'inbound').length >= 8000 && audioOf(conn, 'outbound').length >= 8000
        ? true
        : undefined,
    );
    expect((conn.messages[1]!.json.start as { tracks: string[] }).tracks).toEqual([
      'inbound',
      'outbound',
    ]);
    expect(dominantFrequency(audioOf(conn, 'inbound').subarray(-8000), 8000)).toBeCloseTo(1000, -1);
    // US ringback is 440 + 480 Hz: the strongest is one of them.
    const outboundHz = dominantFrequency(audioOf(conn, 'outbound'), 8000, { maxSamples: 16_000 });
    expect([440, 480].some((hz) => Math.abs(outboundHz - hz) < 10)).toBe(true);

    // A listen-only stream ignores the server's audio.
    sendTone(conn, streamSid, 660, 200);

    expect(await media.request('media.v1.stream.stop', { callSid, name: 'fork' })).toEqual({
      stopped: 1,
    });
    expect(await ended(streamSid)).toMatchObject({ reason: 'stopped', name: 'fork' });
    await eventually('the socket closed', () => conn.closed ?? undefined);
    expect(conn.messages.at(-1)!.json).toMatchObject({
      event: 'stop',
      streamSid,
      stop: { accountSid: TEST_ACCOUNT, callSid },
    });
    await media.request('media.v1.play.stop', { callSid });
  });

  it('wideband opt-in: 16 kHz PCM carries what 8 kHz mu-law cannot, both ways', async () => {
    const { callSid, peer } = await user();
    peer.startTone(5000);
    const streamSid = newSid('MZ');
    await media.request('media.v1.stream.start', {
      streamSid,
      accountSid: TEST_ACCOUNT,
      callSid,
      url: `${agent.url}/wideband`,
      bidirectional: true,
      mediaFormat: 'l16-16k',
    });
    const conn = await agent.connection('/wideband');
    await eventually('a second of caller audio', () =>
      ofEvent(conn, 'media').length >= 60 ? true : undefined,
    );
    expect((conn.messages[1]!.json.start as { mediaFormat: unknown }).mediaFormat).toEqual({
      encoding: 'audio/x-l16le',
      sampleRate: 16000,
      channels: 1,
    });
    const bytes = Buffer.concat(
      ofEvent(conn, 'media')
        .slice(-50)
        .map((m) => Buffer.from((m.json.media as { payload: string }).payload, 'base64')),
    );
    expect(bytes.length).toBe(50 * 640);
    const heard = new Int16Array(bytes.length / 2);
    for (let i = 0; i < heard.length; i++) heard[i] = bytes.readInt16LE(2 * i);
    expect(dominantFrequency(heard, 16_000)).toBeCloseTo(5000, -1);

    // The agent answers in the same format: a second of 5 kHz the caller hears.
    peer.resetReceived();
    const reply = Buffer.alloc(16_000 * 2);
    generateTone(5000, 1000, { sampleRate: 16_000 }).forEach((v, i) =>
      reply.writeInt16LE(v, 2 * i),
    );
    for (let offset = 0; offset < reply.length; offset += 640) {
      const payload = reply.subarray(offset, offset + 640).toString('base64');
      conn.socket.send(JSON.stringify({ event: 'media', streamSid, media: { payload } }));
    }
    await eventually('the caller hearing 5 kHz', () =>
      peer.analyse().durationMs >= 900 ? true : undefined,
    );
    expect(peer.analyse().dominantFrequencyHz).toBeCloseTo(5000, -1);
    conn.socket.close(1000);
    await ended(streamSid);
  });

  it('sends stop and closes the socket when the caller hangs up mid-stream', async () => {
    const { callSid } = await user();
    const streamSid = newSid('MZ');
    await media.request('media.v1.stream.start', {
      streamSid,
      accountSid: TEST_ACCOUNT,
      callSid,
      url: `${agent.url}/hangup`,
      bidirectional: true,
    });
    const conn = await agent.connection('/hangup');
    await eventually('the start message', () => ofEvent(conn, 'start')[0]);
    await media.request('media.v1.leg.close', { callSid });
    expect(await ended(streamSid)).toMatchObject({ reason: 'hangup', errorCode: null });
    await eventually('the socket closed', () => conn.closed ?? undefined);
    expect(conn.messages.at(-1)!.json).toMatchObject({ event: 'stop', streamSid });
  });

  it('fails with 31920 when the server never answers the handshake', async () => {
    const sockets: Socket[] = [];
    const silent: TcpServer = createTcpServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { callSid } = await user();
      const streamSid = newSid('MZ');
      await media.request('media.v1.stream.start', {
        streamSid,
        accountSid: TEST_ACCOUNT,
        callSid,
        url: `ws://127.0.0.1:${(silent.address() as AddressInfo).port}/`,
        bidirectional: true,
      });
      expect(await ended(streamSid)).toMatchObject({
        reason: 'failed',
        errorCode: 31920,
        errorMessage: expect.any(String) as unknown,
      });
      // It never opened: no stream-started.
      expect(media.eventsOf('media.v1.stream.started', (e) => e.streamSid === streamSid)).toEqual(
        [],
      );
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('refuses a private address the policy does not allow, and a non-WebSocket URL', async () => {
    const { callSid } = await user();
    const streamSid = newSid('MZ');
    await media.request('media.v1.stream.start', {
      streamSid,
      accountSid: TEST_ACCOUNT,
      callSid,
      url: 'ws://169.254.169.254/latest',
      bidirectional: true,
    });
    expect(await ended(streamSid)).toMatchObject({ reason: 'failed', errorCode: 31920 });
    await expect(
      media.request('media.v1.stream.start', {
        streamSid: newSid('MZ'),
        accountSid: TEST_ACCOUNT,
        callSid,
        url: 'https://agent.example.com/',
        bidirectional: true,
      }),
    ).rejects.toMatchObject({ code: 31920 });
    await expect(
      media.request('media.v1.stream.start', {
        streamSid: newSid('MZ'),
        accountSid: TEST_ACCOUNT,
        callSid,
        url: `${agent.url}/x`,
        track: 'both_tracks',
        bidirectional: true,
      }),
    ).rejects.toMatchObject({ code: 31941 });
  });
});

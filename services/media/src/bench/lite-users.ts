import { createSocket, type Socket } from 'node:dgram';
import { readPlainDescription } from '../edge/sdp/whatsapp-sdp';
import { NgClient } from '../edge/rtpengine/ng-client';
import { RtpengineControl } from '../edge/rtpengine/rtpengine-control';
import { RtpengineProcess } from '../edge/rtpengine/rtpengine-process';
import { readRtp, writeRtp } from '../legs/rtp';
import { RtpProbe } from './rtp-probe';

/**
 * WhatsApp users made of a second rtpengine: it plays Meta's part of the call (ICE-lite,
 * DTLS server, SRTP, `a=ice-lite` at session level, Opus 111 + telephone-event 126) in C,
 * while Node only exchanges plain RTP with it. Unlike werift peers, thousands of these
 * fit on a core, so the media service, not the load generator, is what is measured. Being
 * a genuine ICE-lite agent that never answers with a role conflict, it is also the closest
 * stand-in for Meta's edge there is on one machine.
 */
export class LiteUserEngine {
  private constructor(
    private readonly process: RtpengineProcess,
    readonly control: RtpengineControl,
  ) {}

  static async start(opts: {
    ngPort: number;
    portMin: number;
    portMax: number;
  }): Promise<LiteUserEngine> {
    const proc = new RtpengineProcess(
      {
        bin: '/usr/bin/rtpengine',
        ngHost: '127.0.0.1',
        ngPort: opts.ngPort,
        interfaces: [{ name: 'default', address: '127.0.0.1' }],
        portMin: opts.portMin,
        portMax: opts.portMax,
        logLevel: 3,
        mediaTimeoutSec: 600,
      },
      { log: () => undefined, onExit: () => undefined },
    );
    await proc.start();
    const control = new RtpengineControl(
      new NgClient({ host: '127.0.0.1', port: opts.ngPort, timeoutMs: 1_000, retries: 3 }),
    );
    for (let i = 0; ; i++) {
      try {
        await control.ping();
        break;
      } catch (error) {
        if (i > 50) throw error;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    return new LiteUserEngine(proc, control);
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  async user(id: string, opusPayload: Buffer): Promise<LiteUser> {
    const socket = createSocket('udp4');
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
    return new LiteUser(id, socket, this.control, opusPayload);
  }

  async stop(): Promise<void> {
    this.control.client.close();
    await this.process.stop();
  }
}

export class LiteUser {
  readonly probe = new RtpProbe();
  private readonly ssrc = Math.floor(Math.random() * 0xfffffff) + 1;
  private seq = Math.floor(Math.random() * 0xffff);
  private remote: { address: string; port: number } | null = null;
  private received = 0;

  constructor(
    private readonly id: string,
    private readonly socket: Socket,
    private readonly control: RtpengineControl,
    private readonly opusPayload: Buffer,
  ) {
    socket.on('message', (msg) => {
      const rtp = readRtp(msg);
      if (!rtp || rtp.payloadType !== 111) return;
      this.received++;
      this.probe.onPacket(rtp.sequenceNumber, rtp.timestamp, performance.now());
    });
  }

  /** Opus packets received so far. */
  get packetsReceived(): number {
    return this.received;
  }

  /** The Meta-shaped offer of this user (what a `connect` webhook would carry). */
  async offer(): Promise<string> {
    const { port } = this.socket.address();
    const plain = [
      'v=0',
      `o=- ${this.ssrc} 1 IN IP4 127.0.0.1`,
      's=-',
      'c=IN IP4 127.0.0.1',
      't=0 0',
      `m=audio ${port} RTP/AVP 111 126`,
      'a=mid:audio',
      'a=rtpmap:111 opus/48000/2',
      'a=fmtp:111 maxaveragebitrate=20000;maxplaybackrate=16000;minptime=20;useinbandfec=1',
      'a=rtpmap:126 telephone-event/8000',
      'a=ptime:20',
      'a=sendrecv',
      'a=rtcp-mux',
      `a=ssrc:${this.ssrc} cname:WhatsAppAudioStream1`,
      '',
    ].join('\r\n');
    const offer = await this.control.offer({
      callId: this.id,
      fromTag: 'user',
      sdp: plain,
      ice: 'force',
      transportProtocol: 'UDP/TLS/RTP/SAVPF',
      sdes: ['off'],
      rtcpMux: ['require'],
      flags: ['no-rtcp-attribute'],
      iceLite: 'forward',
    });
    return offer.replace(/^t=0 0\r?$/m, 't=0 0\r\na=group:BUNDLE audio');
  }

  /** Parley's answer: rtpengine takes it on the WhatsApp side, plain RTP on ours. */
  async applyAnswer(sdp: string): Promise<void> {
    const plain = await this.control.answer({
      callId: this.id,
      fromTag: 'user',
      toTag: 'edge',
      sdp,
      ice: 'remove',
      dtls: 'off',
      transportProtocol: 'RTP/AVP',
    });
    const d = readPlainDescription(plain);
    this.remote = { address: d.address, port: d.port };
  }

  /** One 20 ms frame of this user's voice (tick: the sender clock's frame number). */
  sendFrame(tick: number): void {
    if (!this.remote) return;
    this.socket.send(
      writeRtp({
        marker: false,
        payloadType: 111,
        sequenceNumber: this.seq++ & 0xffff,
        timestamp: (tick * 960) >>> 0,
        ssrc: this.ssrc,
        payload: this.opusPayload,
      }),
      this.remote.port,
      this.remote.address,
    );
  }

  async close(): Promise<void> {
    this.remote = null;
    await this.control.delete(this.id).catch(() => false);
    await new Promise<void>((r) => this.socket.close(() => r()));
  }
}

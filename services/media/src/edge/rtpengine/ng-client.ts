import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { bdecode, bencode, type BencodeDict, type DecodedDict } from './bencode';

/** rtpengine answered with `result: error`. */
export class NgCommandError extends Error {
  constructor(
    readonly command: string,
    readonly reason: string,
  ) {
    super(`rtpengine ${command} failed: ${reason}`);
    this.name = 'NgCommandError';
  }
}

/** rtpengine did not answer after every retry, or the client is closed. */
export class NgTimeoutError extends Error {
  constructor(
    readonly command: string,
    readonly attempts: number,
    readonly timeoutMs: number,
  ) {
    super(`rtpengine did not answer ${command} (${attempts} attempts, ${timeoutMs} ms each)`);
    this.name = 'NgTimeoutError';
  }
}

export interface NgClientOptions {
  host: string;
  port: number;
  /** How long one attempt waits for the reply. */
  timeoutMs: number;
  /** Extra attempts after the first; each resends the same cookie. */
  retries: number;
}

interface Pending {
  command: string;
  packet: Buffer;
  attempts: number;
  timer: NodeJS.Timeout;
  resolve: (reply: DecodedDict) => void;
  reject: (error: Error) => void;
}

/**
 * A client for rtpengine's "ng" control protocol: one UDP socket, each request a bencoded
 * dictionary prefixed by a cookie. A retry resends the same cookie, so rtpengine answers a
 * repeat with its cached reply instead of running the command twice; the random cookie
 * prefix keeps cookies unique across restarts of this process.
 */
export class NgClient {
  private readonly socket: Socket;
  private readonly pending = new Map<string, Pending>();
  private readonly cookiePrefix = randomBytes(6).toString('hex');
  private counter = 0;
  private closed = false;
  private readonly bound: Promise<void>;
  /** Releases requests waiting for the bind when the client closes first. */
  private unblock: () => void = () => undefined;

  constructor(private readonly options: NgClientOptions) {
    this.socket = createSocket(isIPv6(options.host) ? 'udp6' : 'udp4');
    this.socket.on('message', (msg) => this.onMessage(msg));
    // A send error (ICMP unreachable while rtpengine restarts) is retried by the timer.
    this.socket.on('error', () => undefined);
    this.bound = new Promise((resolve) => {
      this.unblock = resolve;
      this.socket.bind(0, resolve);
    });
  }

  get target(): string {
    return `${this.options.host}:${this.options.port}`;
  }

  /** Sends one command and resolves with rtpengine's reply dictionary (`result` ok). */
  async request(request: BencodeDict & { command: string }): Promise<DecodedDict> {
    if (this.closed) throw new NgTimeoutError(request.command, 0, this.options.timeoutMs);
    await this.bound;
    if (this.closed) throw new NgTimeoutError(request.command, 0, this.options.timeoutMs);
    const cookie = `${this.cookiePrefix}_${(this.counter = (this.counter + 1) % 1e9)}`;
    const packet = Buffer.concat([Buffer.from(`${cookie} `), bencode(request)]);
    const reply = await new Promise<DecodedDict>((resolve, reject) => {
      const entry: Pending = {
        command: request.command,
        packet,
        attempts: 1,
        resolve,
        reject,
        timer: setTimeout(() => this.onTimeout(cookie), this.options.timeoutMs),
      };
      this.pending.set(cookie, entry);
      this.send(packet);
    });
    if (reply.result === 'error') {
      const reason = typeof reply['error-reason'] === 'string' ? reply['error-reason'] : 'unknown';
      throw new NgCommandError(request.command, reason);
    }
    return reply;
  }

  /** Fails every pending request and releases the socket. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const [cookie, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(cookie);
      p.reject(new NgTimeoutError(p.command, p.attempts, this.options.timeoutMs));
    }
    this.unblock();
    this.socket.close();
  }

  private send(packet: Buffer): void {
    if (this.closed) return;
    this.socket.send(packet, this.options.port, this.options.host);
  }

  private onTimeout(cookie: string): void {
    const p = this.pending.get(cookie);
    if (!p) return;
    if (p.attempts > this.options.retries) {
      this.pending.delete(cookie);
      p.reject(new NgTimeoutError(p.command, p.attempts, this.options.timeoutMs));
      return;
    }
    p.attempts++;
    p.timer = setTimeout(() => this.onTimeout(cookie), this.options.timeoutMs);
    this.send(p.packet);
  }

  private onMessage(msg: Buffer): void {
    const space = msg.indexOf(0x20);
    if (space <= 0) return;
    const cookie = msg.toString('latin1', 0, space);
    const p = this.pending.get(cookie);
    // Unknown cookies are late replies to requests already answered or given up on.
    if (!p) return;
    this.pending.delete(cookie);
    clearTimeout(p.timer);
    try {
      const decoded = bdecode(msg.subarray(space + 1));
      if (typeof decoded !== 'object' || Array.isArray(decoded)) {
        throw new Error('reply is not a dictionary');
      }
      p.resolve(decoded);
    } catch (error) {
      p.reject(
        new NgCommandError(
          p.command,
          `unreadable reply: ${error instanceof Error ? error.message : String(error)}`,
        ),
      );
    }
  }
}

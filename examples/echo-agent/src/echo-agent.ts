import { type AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { EchoSession, type EchoOptions } from './echo-session';

export interface EchoAgentOptions extends EchoOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** Called with one line per notable event (a call started, ended). */
  log?: (line: string) => void;
}

export interface EchoAgent {
  /** `ws://host:port/`: what `<Stream url>` points at (behind TLS, `wss://`). */
  readonly url: string;
  readonly port: number;
  /** Calls connected now. */
  readonly sessions: ReadonlySet<EchoSession>;
  close(): Promise<void>;
}

/**
 * A WebSocket server speaking Twilio Media Streams: one EchoSession per connection. Any
 * path is accepted, so `wss://agent.example.com/media` works behind a proxy as well.
 */
export async function startEchoAgent(options: EchoAgentOptions): Promise<EchoAgent> {
  const server = new WebSocketServer({
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
  });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const sessions = new Set<EchoSession>();
  const log = options.log ?? (() => undefined);
  server.on('connection', (socket: WebSocket) => {
    const session = new EchoSession((message) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
    }, options);
    sessions.add(session);
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(data.toString('utf8'));
      } catch {
        return; // not JSON: ignored
      }
      const before = session.streamSid;
      session.handle(parsed);
      if (before === null && session.streamSid !== null) {
        log(`call started: stream ${session.streamSid} (${session.format})`);
      }
    });
    socket.on('close', () => {
      sessions.delete(session);
      if (session.streamSid !== null) log(`call ended: stream ${session.streamSid}`);
    });
    socket.on('error', () => socket.terminate());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://${options.host ?? '127.0.0.1'}:${port}/`,
    port,
    sessions,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}

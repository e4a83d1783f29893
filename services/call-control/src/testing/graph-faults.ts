import { createServer, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';

/**
 * An HTTP relay in front of the Meta simulator's Graph API that makes chosen call actions
 * (`terminate`, `pre_accept`, ...) or template submissions (`message_templates`) fail, to test what call-control does when Meta fails:
 * `fail('terminate', 3)` answers the next three terminates with a 500 (Meta's "service
 * unavailable" body) without forwarding them; everything else is relayed unchanged.
 */
export class GraphFaults {
  private server: Server | undefined;
  private readonly failures = new Map<string, number>();
  /** Call actions seen, in order, with whether they were failed here. */
  readonly seen: { action: string; callId: string | undefined; failed: boolean }[] = [];

  constructor(private readonly target: string) {}

  get url(): string {
    const address = this.server?.address() as AddressInfo | undefined;
    if (!address) throw new Error('GraphFaults is not started');
    return `http://127.0.0.1:${address.port}`;
  }

  /** Fails the next `times` requests of `action` (Infinity: until `heal`). */
  fail(action: string, times: number): void {
    this.failures.set(action, times);
  }

  heal(): void {
    this.failures.clear();
  }

  /** How many requests of `action` were seen (failed or relayed). */
  count(action: string, callId?: string): number {
    return this.seen.filter((s) => s.action === action && (!callId || s.callId === callId)).length;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(
        ({ status, headers, body }) => {
          res.writeHead(status, headers);
          res.end(body);
        },
        (error: unknown) => {
          res.writeHead(502, { 'content-type': 'text/plain' });
          res.end(String(error));
        },
      );
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(
    req: IncomingMessage,
  ): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    let action: string | undefined;
    let callId: string | undefined;
    if (req.method === 'POST' && req.url?.endsWith('/calls')) {
      const parsed = JSON.parse(body.toString() || '{}') as { action?: string; call_id?: string };
      action = parsed.action;
      callId = parsed.call_id;
    } else if (req.method === 'POST' && req.url?.endsWith('/message_templates')) {
      action = 'message_templates';
    }
    if (action) {
      const left = this.failures.get(action) ?? 0;
      this.seen.push({ action, callId, failed: left > 0 });
      if (left > 0) {
        this.failures.set(action, left - 1);
        return {
          status: 500,
          headers: { 'content-type': 'application/json' },
          body: Buffer.from(
            JSON.stringify({
              error: {
                message: 'Service temporarily unavailable',
                type: 'OAuthException',
                code: 2,
              },
            }),
          ),
        };
      }
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v;
    }
    const upstream = await fetch(this.target + (req.url ?? '/'), {
      method: req.method ?? 'GET',
      headers,
      ...(req.method === 'GET' || req.method === 'HEAD' ? {} : { body }),
    });
    const out: Record<string, string> = {};
    upstream.headers.forEach((v, k) => {
      if (k !== 'content-length' && k !== 'transfer-encoding' && k !== 'content-encoding')
        out[k] = v;
    });
    return {
      status: upstream.status,
      headers: out,
      body: Buffer.from(await upstream.arrayBuffer()),
    };
  }
}

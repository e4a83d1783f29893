import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebhookPayload } from '../webhooks/payloads';
import { waitFor } from './wait';

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
  payload: WebhookPayload;
}

/**
 * A business's webhook endpoint for tests: records every POST (raw body kept for signature
 * checks), answers Meta's hub.challenge GET, and can be told to fail the next N posts.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  failNext = 0;
  failStatus = 500;
  verifyToken: string | null = null;
  private readonly server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://receiver');
      if (req.method === 'GET') {
        const challenge = url.searchParams.get('hub.challenge') ?? '';
        const valid =
          url.searchParams.get('hub.mode') === 'subscribe' &&
          url.searchParams.get('hub.verify_token') === this.verifyToken;
        res.statusCode = valid ? 200 : 403;
        res.end(valid ? challenge : 'forbidden');
        return;
      }
      if (this.failNext > 0) {
        this.failNext -= 1;
        res.statusCode = this.failStatus;
        res.end('failing on purpose');
        return;
      }
      const rawBody = Buffer.concat(chunks);
      this.received.push({
        headers: req.headers,
        rawBody,
        payload: JSON.parse(rawBody.toString('utf8')) as WebhookPayload,
      });
      res.statusCode = 200;
      res.end('EVENT_RECEIVED');
    });
  });

  url = '';

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/webhooks/meta`;
    return this;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /** Call entries (`value.calls[]`) received so far, flattened. */
  calls(): Array<Record<string, unknown>> {
    return this.values().flatMap((v) =>
      Array.isArray(v.calls) ? (v.calls as Array<Record<string, unknown>>) : [],
    );
  }

  statuses(): Array<Record<string, unknown>> {
    return this.values().flatMap((v) =>
      Array.isArray(v.statuses) ? (v.statuses as Array<Record<string, unknown>>) : [],
    );
  }

  messages(): Array<Record<string, unknown>> {
    return this.values().flatMap((v) =>
      Array.isArray(v.messages) ? (v.messages as Array<Record<string, unknown>>) : [],
    );
  }

  values(): Array<Record<string, unknown>> {
    return this.received.flatMap((r) =>
      r.payload.entry.flatMap((e) => e.changes.map((c) => c.value)),
    );
  }

  /** Waits for a call event (`connect`/`terminate`) of a call. */
  waitForCallEvent(
    event: string,
    callId?: string,
    timeoutMs = 10_000,
  ): Promise<Record<string, unknown>> {
    return waitFor(
      () =>
        this.calls().find((c) => c.event === event && (callId === undefined || c.id === callId)),
      { timeoutMs, what: `a ${event} webhook` },
    );
  }

  waitForStatus(
    status: string,
    callId?: string,
    timeoutMs = 10_000,
  ): Promise<Record<string, unknown>> {
    return waitFor(
      () =>
        this.statuses().find(
          (s) => s.status === status && (callId === undefined || s.id === callId),
        ),
      { timeoutMs, what: `a ${status} status webhook` },
    );
  }
}

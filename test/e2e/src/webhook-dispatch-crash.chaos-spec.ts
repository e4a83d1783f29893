import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { CallStatusChangedV1, type NatsBus } from '@parley/contracts';
import { connect, type NatsConnection } from 'nats';
import twilio from 'twilio';
import { Stack, until as waitUntil } from './stack';

const ACCOUNT_SID = 'AC0c4a0500000000000000000000000002';
const AUTH_TOKEN = '0c4a0500000000000000000000000002';
const CALLS = 20;
/** Requests the dispatcher may have in flight to the receiver's host at once. */
const HOST_CONCURRENCY = 8;

/** Probes may hit a service while it is down: an error is "not yet". */
const until = <T>(what: string, probe: () => T | undefined | Promise<T | undefined>) =>
  waitUntil(what, probe, { timeoutMs: 120_000, intervalMs: 100, ignoreErrors: true });

interface Received {
  /** `${CallSid}:${CallStatus}`: the logical event. */
  event: string;
  token: string;
  sequenceNumber: string | undefined;
  signatureValid: boolean;
  /** Answered 200 (false: held, then cut by the crash). */
  answered: boolean;
}

/**
 * The business's status-callback endpoint: checks every request's signature with the
 * official SDK's `validateRequest`. While `holding`, it answers nothing (a slow receiver:
 * the dispatcher's requests stay in flight until it is killed); then it answers 200.
 * `/broken` always answers 500.
 */
class SlowReceiver {
  holding = true;
  readonly received: Received[] = [];
  private readonly held: ServerResponse[] = [];
  private server: Server | undefined;

  get base(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  get heldCount(): number {
    return this.held.length;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.onRequest(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
  }

  /** Stops holding: requests cut by the crash are dropped, new ones are answered. */
  release(): void {
    this.holding = false;
    for (const res of this.held.splice(0)) res.destroy();
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = `${this.base}${req.url ?? '/'}`;
    const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
    const entry: Received = {
      event: `${params.CallSid}:${params.CallStatus}`,
      token: String(req.headers['i-twilio-idempotency-token'] ?? ''),
      sequenceNumber: params.SequenceNumber,
      signatureValid: twilio.validateRequest(
        AUTH_TOKEN,
        String(req.headers['x-twilio-signature'] ?? ''),
        url,
        params,
      ),
      answered: false,
    };
    this.received.push(entry);
    if (new URL(url).pathname === '/broken') {
      res.writeHead(500, { 'content-type': 'text/plain' }).end('broken on purpose');
      return;
    }
    if (this.holding) {
      this.held.push(res);
      return;
    }
    entry.answered = true;
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  }
}

let callSeq = 0;
/** A call's status event as call-control publishes it (sequence 0 is the call's creation). */
function statusEvent(
  callSid: string,
  status: 'initiated' | 'completed',
  url: string,
): CallStatusChangedV1 {
  const completed = status === 'completed';
  const now = new Date().toISOString();
  return CallStatusChangedV1.parse({
    callSid,
    accountSid: ACCOUNT_SID,
    parentCallSid: null,
    direction: 'outbound-api',
    from: 'whatsapp:+14155550100',
    to: 'whatsapp:+4915112345678',
    status,
    previousStatus: completed ? 'in-progress' : 'queued',
    sequence: completed ? 2 : 1,
    occurredAt: now,
    startTime: completed ? now : null,
    endTime: completed ? now : null,
    durationSec: completed ? 30 : null,
    errorCode: null,
    statusCallback: { url, method: 'POST', events: ['initiated', 'completed'] },
  });
}

function newCallSid(): string {
  callSeq += 1;
  return `CA${'c4a05'.padEnd(24, '0')}${String(callSeq).padStart(8, '0')}`;
}

/**
 * Chaos: webhook-dispatch (a built process) is killed with SIGKILL while many status
 * callbacks are in flight to a slow receiver, and started again. Every event arrives at
 * least once, a repeated request carries the same I-Twilio-Idempotency-Token and
 * SequenceNumber, and every request is signed. call-control runs too: it answers the
 * dispatcher's signing-key requests and serves the request log as Twilio's Alerts.
 */
describe('webhook-dispatch killed with SIGKILL mid-flight', () => {
  let stack: Stack;
  let nc: NatsConnection;
  let bus: NatsBus;
  const receiver = new SlowReceiver();

  beforeAll(async () => {
    await receiver.start();
    stack = await Stack.start({
      name: 'chaos_wd',
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      services: ['call-control', 'webhook-dispatch'],
      env: {
        DELIVERY_POLL_MS: '100',
        // A killed replica's claimed rows come back once their lease lapses.
        DELIVERY_LEASE_MS: '3000',
        DELIVERY_CONCURRENCY: '32',
        DELIVERY_HOST_CONCURRENCY: String(HOST_CONCURRENCY),
        DELIVERY_MAX_ATTEMPTS: '2',
        DELIVERY_BACKOFF_BASE_MS: '100',
        DELIVERY_BACKOFF_MAX_MS: '200',
        DELIVERY_CIRCUIT_FAILURES: '1000',
        // A call's completed callback waits for its initiated one however long the restart.
        DELIVERY_ORDER_WAIT_MS: '600000',
      },
    });
    nc = await connect({ servers: stack.nats.url });
    bus = stack.nats.bus(nc, { source: 'chaos/test' });
  }, 300_000);

  afterAll(async () => {
    await nc?.drain();
    await stack?.stop();
    await receiver.stop();
  }, 60_000);

  it('loses no callback and repeats none under another token', async () => {
    const url = `${receiver.base}/status`;
    const events: CallStatusChangedV1[] = [];
    for (let i = 0; i < CALLS; i++) {
      const callSid = newCallSid();
      for (const status of ['initiated', 'completed'] as const) {
        const event = statusEvent(callSid, status, url);
        events.push(event);
        await bus.publishDurable('calls.v1.call.status-changed', event, {
          msgId: `${event.callSid}:${event.sequence}`,
        });
      }
    }

    // The dispatcher has as many requests in flight to the receiver as it may: kill it.
    await until(`${HOST_CONCURRENCY} callbacks in flight`, () =>
      receiver.heldCount >= HOST_CONCURRENCY ? true : undefined,
    );
    const cut = new Set(receiver.received.map((r) => r.event));
    await stack.crashAndRestart('webhook-dispatch', () => {
      receiver.release();
      return Promise.resolve();
    });

    // Every event arrives (answered) at least once.
    const keys = events.map((e) => `${e.callSid}:${e.status}`);
    await until('every callback delivered', () =>
      keys.every((key) => receiver.received.some((r) => r.event === key && r.answered))
        ? true
        : undefined,
    );

    expect(receiver.received.every((r) => r.signatureValid)).toBe(true);
    for (const event of events) {
      const key = `${event.callSid}:${event.status}`;
      const requests = receiver.received.filter((r) => r.event === key);
      // One token per logical event, the same on every repeat, and one SequenceNumber.
      expect([key, ...new Set(requests.map((r) => r.token))]).toEqual([
        key,
        `${event.callSid}:${event.sequence}`,
      ]);
      expect(new Set(requests.map((r) => r.sequenceNumber)).size).toBe(1);
    }
    // The requests the crash cut were sent again after the restart, with the same token.
    expect(cut.size).toBeGreaterThanOrEqual(HOST_CONCURRENCY);
    for (const key of cut) {
      const requests = receiver.received.filter((r) => r.event === key);
      expect([key, requests.length >= 2]).toEqual([key, true]);
    }
    // Per call, initiated was answered before completed was first sent.
    for (let i = 0; i < events.length; i += 2) {
      const [initiated, completed] = [events[i]!, events[i + 1]!];
      const firstCompleted = receiver.received.findIndex(
        (r) => r.event === `${completed.callSid}:completed`,
      );
      const initiatedAnswered = receiver.received.findIndex(
        (r) => r.event === `${initiated.callSid}:initiated` && r.answered,
      );
      expect(initiatedAnswered).toBeGreaterThanOrEqual(0);
      expect(initiatedAnswered).toBeLessThan(firstCompleted);
    }
  });

  it('shows a callback that failed for good as an alert through the official SDK', async () => {
    const callSid = newCallSid();
    const event = statusEvent(callSid, 'completed', `${receiver.base}/broken#rc=0`);
    await bus.publishDurable('calls.v1.call.status-changed', event, {
      msgId: `${callSid}:${event.sequence}`,
    });
    const client = stack.twilio();
    const alert = await until('the error alert', async () => {
      const alerts = await client.monitor.v1.alerts.list({ logLevel: 'error' });
      return alerts.find((a) => a.resourceSid === callSid);
    });
    expect(alert).toMatchObject({ errorCode: '11200', requestUrl: `${receiver.base}/broken` });
    const fetched = await client.monitor.v1.alerts(alert.sid).fetch();
    expect(fetched.responseBody).toBe('broken on purpose');
    expect(fetched.requestVariables).toContain(`CallSid=${callSid}`);
  });
});

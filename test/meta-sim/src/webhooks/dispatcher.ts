import { createHmac, randomInt, randomUUID } from 'node:crypto';
import type { Logger } from '../logging/logger';
import type { BusinessRecord } from '../sim/types';
import type { WebhookField, WebhookPayload } from './payloads';
import { signWebhookBody } from './signature';

export interface WebhookAttempt {
  at: string;
  url: string;
  durationMs: number;
  /** HTTP status, or null when the connection failed or timed out. */
  status: number | null;
  error: string | null;
}

export type WebhookDeliveryState = 'pending' | 'delivered' | 'failed';

export interface WebhookDelivery {
  id: string;
  phoneNumberId: string;
  field: WebhookField;
  /** What the payload reports, e.g. `calls.connect`, `calls.status.RINGING`, `messages.call_permission_reply`. */
  kind: string;
  callId: string | null;
  createdAt: string;
  state: WebhookDeliveryState;
  attempts: WebhookAttempt[];
  nextAttemptAt: string | null;
  /** The exact bytes posted (what the signature covers). */
  body: string;
  payload: WebhookPayload;
}

export interface DeliveryFilter {
  phoneNumberId?: string;
  field?: WebhookField;
  kind?: string;
  callId?: string;
  state?: WebhookDeliveryState;
}

export interface WebhookDispatcherOptions {
  /** Waits before each retry; the delivery fails once they are used up. */
  retryDelaysMs: number[];
  /** Per attempt: connect + response. */
  timeoutMs: number;
  /** The business as configured now (URL and secret are read at each attempt). */
  lookupBusiness: (phoneNumberId: string) => BusinessRecord | undefined;
  logger: Logger;
  maxRecords?: number;
}

/**
 * Meta's webhook sender: POST JSON to the business's callback URL, signed with
 * X-Hub-Signature-256, retried with growing delays while the receiver fails (non-2xx,
 * connection error, timeout). First attempts for one business go out in the order the
 * events happened; retries run on their own, so one failing event does not hold up the rest.
 */
export class WebhookDispatcher {
  private readonly deliveries: WebhookDelivery[] = [];
  private readonly chains = new Map<string, Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly abort = new AbortController();
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly options: WebhookDispatcherOptions) {}

  enqueue(
    business: BusinessRecord,
    payload: WebhookPayload,
    meta: { kind: string; callId?: string | null },
  ): WebhookDelivery {
    const field = payload.entry[0]?.changes[0]?.field ?? 'calls';
    const delivery: WebhookDelivery = {
      id: randomUUID(),
      phoneNumberId: business.phoneNumberId,
      field,
      kind: meta.kind,
      callId: meta.callId ?? null,
      createdAt: new Date().toISOString(),
      state: 'pending',
      attempts: [],
      nextAttemptAt: new Date().toISOString(),
      body: JSON.stringify(payload),
      payload,
    };
    this.deliveries.push(delivery);
    this.trim();
    if (this.closed) return delivery;
    const previous = this.chains.get(business.phoneNumberId) ?? Promise.resolve();
    const next = previous.then(() => this.attempt(delivery));
    this.chains.set(business.phoneNumberId, next);
    this.track(next);
    return delivery;
  }

  list(filter: DeliveryFilter = {}): WebhookDelivery[] {
    return this.deliveries.filter(
      (d) =>
        (filter.phoneNumberId === undefined || d.phoneNumberId === filter.phoneNumberId) &&
        (filter.field === undefined || d.field === filter.field) &&
        (filter.kind === undefined || d.kind === filter.kind) &&
        (filter.callId === undefined || d.callId === filter.callId) &&
        (filter.state === undefined || d.state === filter.state),
    );
  }

  /** Meta's subscription check: GET the callback URL with hub.* parameters, expect the challenge back. */
  async verify(business: BusinessRecord): Promise<VerifyResult> {
    const challenge = String(randomInt(100_000_000, 2_000_000_000));
    let url: URL;
    try {
      url = new URL(business.webhookUrl);
    } catch {
      return {
        ok: false,
        status: null,
        challenge,
        body: null,
        error: 'webhook URL is not a valid URL',
      };
    }
    url.searchParams.set('hub.mode', 'subscribe');
    url.searchParams.set('hub.challenge', challenge);
    url.searchParams.set('hub.verify_token', business.verifyToken);
    try {
      const response = await fetch(url, {
        method: 'GET',
        redirect: 'manual',
        headers: { 'user-agent': 'facebookplatform/1.0 (+http://developers.facebook.com)' },
        signal: AbortSignal.any([AbortSignal.timeout(this.options.timeoutMs), this.abort.signal]),
      });
      const body = (await response.text()).slice(0, 1000);
      const ok = response.status === 200 && body.trim() === challenge;
      return {
        ok,
        status: response.status,
        challenge,
        body,
        error: ok ? null : 'the response is not the challenge',
      };
    } catch (error) {
      return { ok: false, status: null, challenge, body: null, error: describe(error) };
    }
  }

  reset(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const delivery of this.deliveries) {
      if (delivery.state === 'pending') delivery.nextAttemptAt = null;
    }
    this.deliveries.length = 0;
    this.chains.clear();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.abort.abort();
    await Promise.allSettled([...this.inFlight]);
  }

  private track(promise: Promise<void>): void {
    const tracked = promise.catch((error: unknown) => {
      this.options.logger.error('webhook delivery crashed', { error: describe(error) });
    });
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
  }

  private async attempt(delivery: WebhookDelivery): Promise<void> {
    if (this.closed || !this.deliveries.includes(delivery)) return;
    const business = this.options.lookupBusiness(delivery.phoneNumberId);
    const started = performance.now();
    const at = new Date().toISOString();
    if (!business) {
      this.finish(delivery, {
        at,
        url: '',
        durationMs: 0,
        status: null,
        error: 'business no longer exists',
      });
      return;
    }
    let status: number | null = null;
    let error: string | null = null;
    try {
      const response = await fetch(business.webhookUrl, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'facebookexternalua',
          'x-hub-signature': `sha1=${createHmac('sha1', business.appSecret).update(delivery.body).digest('hex')}`,
          'x-hub-signature-256': signWebhookBody(business.appSecret, delivery.body),
        },
        body: delivery.body,
        signal: AbortSignal.any([AbortSignal.timeout(this.options.timeoutMs), this.abort.signal]),
      });
      status = response.status;
      await response.arrayBuffer();
      if (status < 200 || status > 299) error = `HTTP ${status}`;
    } catch (caught) {
      error = describe(caught);
    }
    this.finish(delivery, {
      at,
      url: business.webhookUrl,
      durationMs: Math.round(performance.now() - started),
      status,
      error,
    });
  }

  private finish(delivery: WebhookDelivery, attempt: WebhookAttempt): void {
    delivery.attempts.push(attempt);
    if (attempt.error === null) {
      delivery.state = 'delivered';
      delivery.nextAttemptAt = null;
      this.options.logger.debug('webhook delivered', {
        deliveryId: delivery.id,
        kind: delivery.kind,
        status: attempt.status,
      });
      return;
    }
    const delay = this.options.retryDelaysMs[delivery.attempts.length - 1];
    if (delay === undefined || this.closed || attempt.url === '') {
      delivery.state = 'failed';
      delivery.nextAttemptAt = null;
      this.options.logger.warn('webhook delivery failed for good', {
        deliveryId: delivery.id,
        kind: delivery.kind,
        attempts: delivery.attempts.length,
        error: attempt.error,
      });
      return;
    }
    delivery.nextAttemptAt = new Date(Date.now() + delay).toISOString();
    this.options.logger.info('webhook delivery failed, will retry', {
      deliveryId: delivery.id,
      kind: delivery.kind,
      attempt: delivery.attempts.length,
      retryInMs: delay,
      error: attempt.error,
    });
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.track(this.attempt(delivery));
    }, delay);
    this.timers.add(timer);
  }

  private trim(): void {
    const max = this.options.maxRecords ?? 10_000;
    while (this.deliveries.length > max) {
      const index = this.deliveries.findIndex((d) => d.state !== 'pending');
      if (index < 0) break;
      this.deliveries.splice(index, 1);
    }
  }
}

export interface VerifyResult {
  ok: boolean;
  status: number | null;
  challenge: string;
  body: string | null;
  error: string | null;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    if (cause instanceof Error) return `${error.message}: ${cause.message}`;
    return error.message;
  }
  return String(error);
}

/**
 * Meta retries a failing webhook "with decreasing frequency" for up to 7 days. This schedule
 * does the same: 10 s doubling to 1 h, then hourly, about 7 days in total.
 */
export function metaLikeRetryDelays(): number[] {
  const delays: number[] = [];
  let total = 0;
  let next = 10_000;
  while (total < 7 * 24 * 3_600_000) {
    delays.push(next);
    total += next;
    next = Math.min(next * 2, 3_600_000);
  }
  return delays;
}

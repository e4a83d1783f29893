import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ParleyError } from '@parley/contracts';
import {
  BackgroundTasks,
  PARLEY_ENV,
  PARLEY_LOGGER,
  type ParleyLogger,
  SERVICE_INFO,
  type ServiceInfo,
} from '@parley/nest-kit';
import { TWILIO_USER_AGENT } from '@parley/webhooks';
import { type WebhookDispatchEnv } from '../config/env.schema';
import { type LogLevel } from '../request-log/request-log.entity';
import { type RequestLogInsert, requestLogEntry } from '../request-log/request-log-entry';
import { SigningKeys } from '../signing/signing-keys';
import { CALLBACK_SENDER, type CallbackHttpResult, type CallbackSender } from './callback-sender';
import { type ClaimedDelivery, DeliveriesRepository } from './deliveries.repository';
import { DeliveryMetrics } from './delivery-metrics';
import { HostCircuits } from './host-circuits';
import { backoffMs, hostHealthOf, isWorthAnotherAttempt } from './retry-policy';

interface InFlight {
  host: string;
  abort: AbortController;
  done: Promise<void>;
}

/**
 * Sends the outbox's due deliveries: claims what it has room for (in all and per
 * destination host, so one dead endpoint cannot take every slot), signs each with its
 * account's auth token and sends it, then records the outcome on the row. A host whose
 * circuit is open (host-circuits.ts) is not claimed at all until its probe succeeds. Runs
 * on every replica; rows, not memory, are the truth, so a crash at any line loses nothing.
 */
@Injectable()
export class DeliveryWorker {
  /** Who holds a lease: unique per process, so a restarted instance never acts on old leases. */
  readonly owner: string;
  private readonly inFlight = new Map<string, InFlight>();
  private readonly perHost = new Map<string, number>();
  /**
   * Claimed rows waiting for room at their host, started as requests to it end: a busy
   * host's next callbacks go out without a claim round trip each. At most as many as
   * the host's limit, so a row waits at most one request's time on its lease.
   */
  private readonly queued = new Map<string, ClaimedDelivery[]>();
  private stopping = false;
  readonly circuits: HostCircuits;
  /** Called when a send finished and made room (the poller pumps again). */
  onRoom: () => void = () => undefined;

  constructor(
    private readonly deliveries: DeliveriesRepository,
    private readonly signingKeys: SigningKeys,
    private readonly metrics: DeliveryMetrics,
    @Inject(CALLBACK_SENDER) private readonly sender: CallbackSender,
    @Inject(PARLEY_ENV) private readonly env: WebhookDispatchEnv,
    @Inject(PARLEY_LOGGER) private readonly logger: ParleyLogger,
    @Inject(SERVICE_INFO) info: ServiceInfo,
    private readonly background: BackgroundTasks,
  ) {
    this.owner = `${info.instanceId}/${randomUUID().slice(0, 8)}`;
    this.circuits = new HostCircuits({
      failureThreshold: env.DELIVERY_CIRCUIT_FAILURES,
      openMs: env.DELIVERY_CIRCUIT_OPEN_MS,
      maxOpenMs: env.DELIVERY_CIRCUIT_MAX_OPEN_MS,
    });
    metrics.watchCircuits(this.circuits);
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /**
   * Claims due deliveries there is room for and starts sending them (or queues them
   * behind their host's requests in flight), without waiting for the sends. Returns how
   * many it took.
   */
  async pump(): Promise<number> {
    const room = this.env.DELIVERY_CONCURRENCY - this.inFlight.size - this.queuedCount();
    if (this.stopping || room <= 0) return 0;
    const limit = this.env.DELIVERY_HOST_CONCURRENCY;
    // Per host: its limit in flight plus as many queued behind them.
    const hostRoom = new Map<string, number>();
    for (const host of new Set([...this.perHost.keys(), ...this.queued.keys()])) {
      hostRoom.set(host, Math.max(0, 2 * limit - this.load(host)));
    }
    for (const host of this.circuits.probeHosts()) hostRoom.set(host, 1);
    const claimed = await this.deliveries.claim({
      limit: room,
      skipHosts: this.circuits.blockedHosts(),
      hostLimit: 2 * limit,
      hostRoom,
      owner: this.owner,
      leaseMs: this.env.DELIVERY_LEASE_MS,
      orderWaitMs: this.env.DELIVERY_ORDER_WAIT_MS,
    });
    const noRoom: string[] = [];
    for (const delivery of claimed) {
      if (this.stopping) {
        noRoom.push(delivery.id);
      } else if ((this.perHost.get(delivery.host) ?? 0) < limit) {
        if (this.circuits.admit(delivery.host, delivery.id)) {
          this.start(delivery);
        } else {
          noRoom.push(delivery.id);
        }
      } else if (this.circuits.state(delivery.host) === 'closed') {
        const queue = this.queued.get(delivery.host) ?? [];
        queue.push(delivery);
        this.queued.set(delivery.host, queue);
      } else {
        noRoom.push(delivery.id);
      }
    }
    await this.deliveries.release(noRoom, this.owner);
    return claimed.length - noRoom.length;
  }

  /** Requests in flight and queued for a host. */
  private load(host: string): number {
    return (this.perHost.get(host) ?? 0) + (this.queued.get(host)?.length ?? 0);
  }

  private queuedCount(): number {
    let count = 0;
    for (const queue of this.queued.values()) count += queue.length;
    return count;
  }

  /** A request to `host` ended: start the next one queued for it, if its circuit allows. */
  private startNextQueued(host: string): void {
    const queue = this.queued.get(host);
    const next = queue?.shift();
    if (queue?.length === 0) this.queued.delete(host);
    if (!next) return;
    if (this.circuits.admit(host, next.id)) {
      this.start(next);
      return;
    }
    // The circuit opened meanwhile: give the row and the rest of the queue back.
    const back = [next, ...(this.queued.get(host) ?? [])].map((d) => d.id);
    this.queued.delete(host);
    this.deliveries.release(back, this.owner).catch((error: unknown) => {
      // Their leases lapse and they come back: nothing is lost.
      this.logger.warn({ err: error, host }, 'giving queued callbacks back failed');
    });
  }

  /**
   * Stops taking work, aborts the requests in flight and gives their rows back, so
   * another replica (or this one restarted) sends them again with the same token.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    const queued = [...this.queued.values()].flat().map((d) => d.id);
    this.queued.clear();
    const running = [...this.inFlight.entries()];
    for (const [, flight] of running) flight.abort.abort();
    await Promise.allSettled(running.map(([, flight]) => flight.done));
    await this.deliveries.release([...running.map(([id]) => id), ...queued], this.owner);
  }

  private start(delivery: ClaimedDelivery): void {
    const abort = new AbortController();
    this.perHost.set(delivery.host, (this.perHost.get(delivery.host) ?? 0) + 1);
    const done = this.deliver(delivery, abort.signal)
      .catch((error: unknown) => {
        // The row keeps its lease and comes back when it lapses: nothing is lost.
        this.logger.error(
          { err: error, deliveryId: delivery.id, host: delivery.host },
          'recording a delivery outcome failed',
        );
      })
      .finally(() => {
        this.circuits.settle(delivery.host, delivery.id);
        this.inFlight.delete(delivery.id);
        const left = (this.perHost.get(delivery.host) ?? 1) - 1;
        if (left > 0) this.perHost.set(delivery.host, left);
        else this.perHost.delete(delivery.host);
        if (this.stopping) return;
        this.startNextQueued(delivery.host);
        this.onRoom();
      });
    this.inFlight.set(delivery.id, { host: delivery.host, abort, done });
    // stop() aborts and awaits these itself; tracking bounds shutdown by SHUTDOWN_GRACE_MS
    // and names a send that outlived its abort.
    this.background.track(done, `callback delivery ${delivery.id}`);
  }

  private async deliver(delivery: ClaimedDelivery, signal: AbortSignal): Promise<void> {
    const log = { deliveryId: delivery.id, kind: delivery.kind, host: delivery.host };
    let authToken: string;
    try {
      authToken = await this.signingKeys.authToken(delivery.accountSid);
    } catch (error) {
      if (error instanceof ParleyError && error.code === 20404) {
        await this.fail(delivery, {
          errorCode: 20404,
          message: 'account not found',
          statusCode: null,
        });
        return;
      }
      // call-control is unavailable: not the receiver's fault, so not an attempt.
      this.logger.warn({ ...log, err: error }, 'no signing key for a callback yet');
      await this.deliveries.retryLater(
        delivery.id,
        this.owner,
        backoffMs(1, this.env.DELIVERY_BACKOFF_BASE_MS, this.env.DELIVERY_BACKOFF_MAX_MS),
        { errorCode: null, message: 'signing key unavailable', statusCode: null },
        { countAttempt: false },
      );
      return;
    }
    if (signal.aborted) return;
    const params =
      delivery.callbackSequence === null
        ? delivery.params
        : { ...delivery.params, SequenceNumber: String(delivery.callbackSequence) };
    const result = await this.sender.send({
      url: delivery.url,
      method: delivery.method,
      params,
      authToken,
      idempotencyToken: delivery.idempotencyToken,
      signal,
    });
    // Aborted by shutdown: stop() gives the row back.
    if (signal.aborted) return;
    this.recordHostHealth(delivery, result);
    const seconds = result.latencyMs / 1000;
    const logEntry = (logLevel: LogLevel | null): RequestLogInsert =>
      requestLogEntry({
        accountSid: delivery.accountSid,
        callSid: delivery.callSid,
        deliveryId: delivery.id,
        kind: delivery.kind,
        url: delivery.url,
        method: delivery.method,
        params,
        idempotencyToken: delivery.idempotencyToken,
        userAgent: TWILIO_USER_AGENT,
        exchange: result.ok
          ? {
              status: result.status,
              headers: result.headers ?? null,
              body: result.body ?? null,
              latencyMs: result.latencyMs,
              errorCode: null,
              message: null,
            }
          : {
              status: result.status ?? null,
              headers: result.response?.headers ?? null,
              body: result.response?.bodyExcerpt ?? null,
              latencyMs: result.latencyMs,
              errorCode: result.errorCode,
              message: result.message,
            },
        logLevel,
      });
    if (result.ok) {
      await this.deliveries.markDelivered(delivery.id, this.owner, result.status, logEntry(null));
      this.metrics.outcomes.inc({ kind: delivery.kind, outcome: 'delivered' });
      this.metrics.latency.observe({ kind: delivery.kind, outcome: 'delivered' }, seconds);
      this.logger.debug({ ...log, attempts: delivery.attempts }, 'callback delivered');
      return;
    }
    const failure = {
      errorCode: result.errorCode,
      message: result.message,
      statusCode: result.status ?? null,
    };
    if (delivery.fallbackUrl !== null) {
      // Twilio asks the fallback URL as soon as the primary request fails.
      await this.deliveries.switchToFallback(
        delivery.id,
        this.owner,
        { ...failure, url: delivery.url.replace(/#.*$/, '') },
        new URL(delivery.fallbackUrl).hostname.toLowerCase(),
        logEntry('warning'),
      );
      this.metrics.outcomes.inc({ kind: delivery.kind, outcome: 'fallback' });
      this.metrics.latency.observe({ kind: delivery.kind, outcome: 'fallback' }, seconds);
      this.logger.info(
        { ...log, errorCode: result.errorCode },
        'messaging webhook failed; its fallback URL is asked next',
      );
      this.onRoom();
      return;
    }
    if (isWorthAnotherAttempt(result) && delivery.attempts < this.env.DELIVERY_MAX_ATTEMPTS) {
      const delayMs = backoffMs(
        delivery.attempts,
        this.env.DELIVERY_BACKOFF_BASE_MS,
        this.env.DELIVERY_BACKOFF_MAX_MS,
      );
      await this.deliveries.retryLater(
        delivery.id,
        this.owner,
        delayMs,
        failure,
        { countAttempt: true },
        logEntry('warning'),
      );
      this.metrics.outcomes.inc({ kind: delivery.kind, outcome: 'retry' });
      this.metrics.latency.observe({ kind: delivery.kind, outcome: 'retry' }, seconds);
      this.logger.info(
        { ...log, attempts: delivery.attempts, errorCode: result.errorCode, delayMs },
        'callback attempt failed; retrying later',
      );
      return;
    }
    this.metrics.latency.observe({ kind: delivery.kind, outcome: 'failed' }, seconds);
    await this.fail(delivery, failure, logEntry('error'));
  }

  private recordHostHealth({ host, id }: ClaimedDelivery, result: CallbackHttpResult): void {
    const health = hostHealthOf(result);
    if (health === 'unknown') return;
    const transition =
      health === 'up' ? this.circuits.recordSuccess(host) : this.circuits.recordFailure(host, id);
    if (transition === null) return;
    this.metrics.circuitTransitions.inc({ to: transition === 'closed' ? 'closed' : 'open' });
    if (transition === 'closed') {
      this.logger.info({ host }, 'destination answered again; its callbacks flow again');
    } else {
      this.logger.warn(
        { host, transition },
        'destination keeps failing; its callbacks wait until a probe succeeds',
      );
    }
  }

  private async fail(
    delivery: ClaimedDelivery,
    failure: { errorCode: number; message: string; statusCode: number | null },
    log: RequestLogInsert | null = null,
  ): Promise<void> {
    await this.deliveries.markFailed(delivery.id, this.owner, failure, log);
    this.metrics.outcomes.inc({ kind: delivery.kind, outcome: 'failed' });
    this.logger.warn(
      {
        deliveryId: delivery.id,
        kind: delivery.kind,
        host: delivery.host,
        attempts: delivery.attempts,
        errorCode: failure.errorCode,
        statusCode: failure.statusCode,
      },
      'callback failed for good (re-drivable with webhooks.v1.deliveries.redrive)',
    );
  }
}

import { ServerNats, type NatsOptions } from '@nestjs/microservices';
import { checkNatsNamespace, namespacedSubject } from '@parley/contracts';
import { type Msg, type NatsConnection, type Subscription } from 'nats';

/** Options of NamespacedNatsServer beyond NestJS's own. */
export interface NamespacedNatsServerOptions {
  /**
   * At close, how long to wait for handlers still running (their replies must go out)
   * before the connection drains. Defaults to NestJS's `gracePeriod`.
   */
  inFlightGraceMs?: number;
}

/**
 * NestJS's NATS transport in a Parley NATS namespace: `@CommandHandler('x')` methods
 * listen on `<namespace>.x` (what `NatsBus.request` sends to) and are still dispatched by
 * their logical pattern. Replies go to the caller's inbox, which needs no namespace.
 *
 * Closing is graceful in a way NestJS's is not: it unsubscribes (no new commands reach
 * this replica), then waits for the handlers already running, up to the grace period, and
 * only then drains the connection, so an `accept` or `dial` waiting on Meta still gets its
 * reply out. NestJS would wait a fixed period and close regardless.
 */
export class NamespacedNatsServer extends ServerNats {
  private readonly namespace: string | undefined;
  private readonly inFlightGraceMs: number;
  private connection: NatsConnection | undefined;
  private readonly ownSubscriptions: Subscription[] = [];
  /** Messages being handled, each settled once its reply was sent (or it needs none). */
  private readonly inFlight = new Map<Msg, () => void>();
  private readonly idle = new Set<() => void>();

  constructor(
    options: Required<NatsOptions>['options'],
    namespace: string | undefined,
    extra: NamespacedNatsServerOptions = {},
  ) {
    // NestJS's own graceful wait is replaced by the in-flight wait in close().
    super({ ...options, gracefulShutdown: false });
    this.namespace = checkNatsNamespace(namespace);
    this.inFlightGraceMs = extra.inFlightGraceMs ?? options.gracePeriod ?? 10_000;
  }

  /** Handlers running now (commands whose reply is not sent yet, events being handled). */
  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /**
   * ServerNats.bindEvents subscribes each registered pattern with
   * `client.subscribe(pattern, { queue, callback: handlerOf(pattern) })` and keeps the
   * subscriptions for a graceful close; only the subject it subscribes to changes here,
   * and the subscriptions are kept to unsubscribe first at close.
   */
  override bindEvents(client: NatsConnection): void {
    this.connection = client;
    const namespace = this.namespace;
    const subscribing: Pick<NatsConnection, 'subscribe'> = {
      subscribe: (subject, opts) => {
        const sub = client.subscribe(
          namespace ? namespacedSubject(namespace, subject) : subject,
          opts,
        );
        this.ownSubscriptions.push(sub);
        return sub;
      },
    };
    super.bindEvents(subscribing);
  }

  override async handleMessage(channel: string, natsMsg: Msg): Promise<void> {
    let settle: () => void = () => undefined;
    const settled = new Promise<void>((resolve) => (settle = resolve));
    this.inFlight.set(natsMsg, settle);
    void settled.then(() => {
      this.inFlight.delete(natsMsg);
      if (this.inFlight.size === 0) for (const resolve of this.idle) resolve();
    });
    try {
      await super.handleMessage(channel, natsMsg);
      // An event (no reply subject) is done when its handler is; a command when its
      // reply was published (see getPublisher), which happens on a later tick.
      if (!natsMsg.reply) settle();
    } catch (error) {
      settle();
      throw error;
    }
  }

  override getPublisher(
    natsMsg: Msg,
    id: string,
    ctx: Parameters<ServerNats['getPublisher']>[2],
  ): ReturnType<ServerNats['getPublisher']> {
    const publish = super.getPublisher(natsMsg, id, ctx);
    return (response: { isDisposed?: boolean; err?: unknown }) => {
      const sent: unknown = publish(response);
      // The last packet of a reply carries isDisposed (an error reply: err).
      if (response.isDisposed || response.err !== undefined) this.inFlight.get(natsMsg)?.();
      return sent;
    };
  }

  override async close(): Promise<void> {
    for (const sub of this.ownSubscriptions.splice(0)) sub.unsubscribe();
    await this.waitForInFlight();
    // Drain flushes the replies just published before the connection closes.
    const connection = this.connection;
    this.connection = undefined;
    if (connection && !connection.isClosed()) await connection.drain().catch(() => undefined);
    await super.close();
  }

  private async waitForInFlight(): Promise<void> {
    if (this.inFlight.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    let done: () => void = () => undefined;
    await new Promise<void>((resolve) => {
      done = resolve;
      this.idle.add(done);
      timer = setTimeout(done, this.inFlightGraceMs);
    });
    clearTimeout(timer);
    this.idle.delete(done);
  }
}

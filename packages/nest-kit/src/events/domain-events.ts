import { type ParleyLogger } from '../logging/logger';

/** What a subscriber does with one event; a returned promise is awaited by `emit`. */
export type DomainEventHandler<Payload> = (payload: Payload) => void | Promise<void>;

/**
 * A typed in-process event map between the feature folders of one service, so that a
 * lower folder can announce what happened (`call.answered`) and a higher one react to it
 * without the lower one importing the higher one.
 *
 * Rules every service follows:
 * - `emit` is called only after the transaction that made the change committed: a
 *   subscriber never sees a change that may still roll back.
 * - Handlers run one after the other in subscription order, and `emit` resolves when all
 *   of them settled. Awaiting (rather than tracking fire-and-forget promises) keeps the
 *   order of side effects the caller relies on (a recording starts before the TwiML
 *   does), and no handler outlives the request or the shutdown that caused it.
 * - A handler that throws or rejects is logged with the event's name and does not stop the
 *   other handlers or fail the emitter: what happened already happened.
 *
 * It is in-process only: other services learn of changes from durable NATS events.
 */
export class DomainEvents<EventMap extends object> {
  private readonly handlers = new Map<keyof EventMap, DomainEventHandler<never>[]>();

  constructor(private readonly logger: ParleyLogger) {}

  /** Subscribes to one event; the returned function unsubscribes. */
  on<Name extends keyof EventMap & string>(
    name: Name,
    handler: DomainEventHandler<EventMap[Name]>,
  ): () => void {
    const list = this.handlersOf(name);
    list.push(handler);
    this.handlers.set(name, list);
    return () => {
      const current = this.handlersOf(name);
      this.handlers.set(
        name,
        current.filter((h) => h !== handler),
      );
    };
  }

  /** Runs every handler of `name` in order; resolves when all settled, never rejects. */
  async emit<Name extends keyof EventMap & string>(
    name: Name,
    payload: EventMap[Name],
  ): Promise<void> {
    // A copy: a handler that unsubscribes while running does not skip the next one.
    for (const handler of [...this.handlersOf(name)]) {
      try {
        await handler(payload);
      } catch (error) {
        this.logger.error({ err: error, event: name }, `a ${name} handler failed`);
      }
    }
  }

  private handlersOf<Name extends keyof EventMap>(
    name: Name,
  ): DomainEventHandler<EventMap[Name]>[] {
    return (this.handlers.get(name) ?? []) as DomainEventHandler<EventMap[Name]>[];
  }
}

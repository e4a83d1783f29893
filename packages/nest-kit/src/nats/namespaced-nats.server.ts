import { ServerNats, type NatsOptions } from '@nestjs/microservices';
import { checkNatsNamespace, namespacedSubject } from '@parley/contracts';
import { type NatsConnection } from 'nats';

/**
 * NestJS's NATS transport in a Parley NATS namespace: `@CommandHandler('x')` methods
 * listen on `<namespace>.x` (what `NatsBus.request` sends to) and are still dispatched by
 * their logical pattern. Replies go to the caller's inbox, which needs no namespace.
 */
export class NamespacedNatsServer extends ServerNats {
  private readonly namespace: string | undefined;

  constructor(options: Required<NatsOptions>['options'], namespace: string | undefined) {
    super(options);
    this.namespace = checkNatsNamespace(namespace);
  }

  /**
   * ServerNats.bindEvents subscribes each registered pattern with
   * `client.subscribe(pattern, { queue, callback: handlerOf(pattern) })` and keeps the
   * subscriptions for a graceful close; only the subject it subscribes to changes here.
   */
  override bindEvents(client: NatsConnection): void {
    const namespace = this.namespace;
    if (!namespace) {
      super.bindEvents(client);
      return;
    }
    const namespaced: Pick<NatsConnection, 'subscribe'> = {
      subscribe: (subject, opts) => client.subscribe(namespacedSubject(namespace, subject), opts),
    };
    super.bindEvents(namespaced);
  }
}

import { Inject, Injectable, SetMetadata, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import {
  durableConsumer,
  type DurableConsumer,
  type DurableConsumerName,
  type DurableConsumerSubject,
  type EventPayload,
  type HandlerContext,
  NatsBus,
} from '@parley/contracts';
import { type BaseEnv } from '../config/env';
import { type ParleyLogger } from '../logging/logger';
import { PARLEY_ENV, PARLEY_LOGGER, SERVICE_INFO, type ServiceInfo } from '../tokens';

const DURABLE_EVENT_HANDLER = 'parley:durable-event-handler';

type DurableHandlerMethod<C extends DurableConsumerName> = (
  payload: EventPayload<DurableConsumerSubject<C>>,
  ctx: HandlerContext,
) => Promise<void>;

/**
 * Marks a provider method as the handler of a durable consumer of the subject registry
 * (`durableConsumers` in @parley/contracts), which gives its subject, stream, durable name
 * and delivery options. The consumer starts when the application has bootstrapped and
 * stops at shutdown before the NATS connection drains. A message is acked once the
 * method resolved and redelivered if it threw.
 */
export function DurableEventHandler<C extends DurableConsumerName>(consumer: C) {
  return <M extends DurableHandlerMethod<C>>(
    target: object,
    key: string | symbol,
    descriptor: TypedPropertyDescriptor<M>,
  ): void => {
    SetMetadata(DURABLE_EVENT_HANDLER, consumer)(target, key, descriptor);
  };
}

/** Finds the `@DurableEventHandler` methods of every provider and runs their consumers. */
@Injectable()
export class DurableEventHandlers implements OnApplicationBootstrap {
  private readonly running: { name: DurableConsumerName; consumer: DurableConsumer }[] = [];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly bus: NatsBus,
    @Inject(SERVICE_INFO) private readonly info: ServiceInfo,
    @Inject(PARLEY_ENV) private readonly env: BaseEnv,
    @Inject(PARLEY_LOGGER) private readonly logger: ParleyLogger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (!wrapper.isDependencyTreeStatic() || typeof instance !== 'object' || !instance) continue;
      const prototype = Object.getPrototypeOf(instance) as object | null;
      if (!prototype) continue;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const handler = (instance as Record<string, unknown>)[method];
        if (typeof handler !== 'function') continue;
        const name = this.reflector.get<DurableConsumerName | undefined>(
          DURABLE_EVENT_HANDLER,
          handler,
        );
        if (name) await this.start(name, handler.bind(instance) as DurableHandlerMethod<never>);
      }
    }
  }

  /** Stops every consumer; messages in flight finish first. */
  async stopAll(): Promise<void> {
    const stopping = this.running.splice(0);
    await Promise.all(stopping.map(({ consumer }) => consumer.stop()));
  }

  private async start<C extends DurableConsumerName>(
    name: C,
    handler: DurableHandlerMethod<C>,
  ): Promise<void> {
    const def = durableConsumer(name);
    if (def.service !== this.info.name) {
      throw new Error(`durable consumer ${name} belongs to ${def.service}, not ${this.info.name}`);
    }
    if (this.running.some((r) => r.name === name)) {
      throw new Error(`durable consumer ${name} has two handlers`);
    }
    const renamed = def.durableEnv
      ? (this.env as unknown as Record<string, unknown>)[def.durableEnv]
      : undefined;
    const durable = typeof renamed === 'string' && renamed ? renamed : def.durable;
    const consumer = await this.bus.consumeDurable({
      stream: def.stream,
      durable,
      subject: def.subject,
      handler,
      ...(def.ackWaitMs !== undefined ? { ackWaitMs: def.ackWaitMs } : {}),
      ...(def.maxDeliver !== undefined ? { maxDeliver: def.maxDeliver } : {}),
      ...(def.startAt !== undefined ? { startAt: def.startAt } : {}),
      ...(def.concurrency !== undefined ? { concurrency: def.concurrency } : {}),
      // A payload field, as the registry's unit test checks.
      ...(def.orderKey !== undefined
        ? { orderKey: def.orderKey as keyof EventPayload<DurableConsumerSubject<C>> & string }
        : {}),
    });
    this.running.push({ name, consumer });
    this.logger.debug({ consumer: name, stream: def.stream, durable }, 'durable consumer started');
  }
}

import { Inject, Injectable, SetMetadata, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, ModuleRef, Reflector } from '@nestjs/core';
import {
  durableConsumer,
  eventSchema,
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

/** A message every delivery of which failed, as a dead-letter store receives it. */
export interface DeadLetter {
  consumer: DurableConsumerName;
  subject: string;
  payload: unknown;
  correlationId: string | undefined;
  deliveries: number;
  error: unknown;
}

/**
 * Where a service keeps messages its durable consumers gave up on (provide it under
 * DEAD_LETTER_SINK in any module). With a sink, nothing is dropped after `maxDeliver`
 * failed deliveries: the message is stored, and acked only once stored. Without one,
 * JetStream stops delivering it after `maxDeliver` (and the bus reports it).
 */
export interface DeadLetterSink {
  store(letter: DeadLetter): Promise<void>;
}
export const DEAD_LETTER_SINK = Symbol('DEAD_LETTER_SINK');

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
  private readonly handlers = new Map<DurableConsumerName, DurableHandlerMethod<never>>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly moduleRef: ModuleRef,
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

  /**
   * Runs a consumer's handler on a payload again (re-driving a dead letter); throws what
   * the handler throws. The payload is validated against the subject's contract first.
   */
  async redeliver(name: DurableConsumerName, payload: unknown): Promise<void> {
    const handler = this.handlers.get(name);
    if (!handler) throw new Error(`no handler of durable consumer ${name} in this service`);
    const def = durableConsumer(name);
    const parsed = eventSchema(def.subject).parse(payload);
    await handler(parsed as never, {
      subject: def.subject,
      correlationId: undefined,
      headers: undefined,
    });
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
    const maxDeliverSetting = def.maxDeliverEnv
      ? (this.env as unknown as Record<string, unknown>)[def.maxDeliverEnv]
      : undefined;
    const maxDeliver = typeof maxDeliverSetting === 'number' ? maxDeliverSetting : def.maxDeliver;
    const sink = this.deadLetterSink();
    this.handlers.set(name, handler);
    const consumer = await this.bus.consumeDurable<DurableConsumerSubject<C>>({
      stream: def.stream,
      durable,
      subject: def.subject,
      handler,
      ...(def.ackWaitMs !== undefined ? { ackWaitMs: def.ackWaitMs } : {}),
      ...(maxDeliver !== undefined ? { maxDeliver } : {}),
      ...(sink
        ? {
            onExhausted: (payload, ctx, error) =>
              sink.store({
                consumer: name,
                subject: ctx.subject,
                payload,
                correlationId: ctx.correlationId,
                deliveries: ctx.deliveries,
                error,
              }),
          }
        : {}),
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

  private deadLetterSink(): DeadLetterSink | undefined {
    try {
      return this.moduleRef.get<DeadLetterSink>(DEAD_LETTER_SINK, { strict: false });
    } catch {
      return undefined;
    }
  }
}

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
import { Gauge } from 'prom-client';
import { type BaseEnv } from '../config/env';
import { type ParleyLogger } from '../logging/logger';
import { MetricsService } from '../metrics/metrics';
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

/** What JetStream says of one durable consumer (its concrete stream and durable names). */
export interface ConsumerBacklog {
  stream: string;
  consumer: string;
  /** Messages of the stream matching the consumer's filter, not delivered yet. */
  pending: number;
  /** Messages delivered and not acknowledged yet (being handled, or lost with an instance). */
  ackPending: number;
}

interface RunningConsumer {
  name: DurableConsumerName;
  stream: string;
  durable: string;
  consumer: DurableConsumer;
}

/**
 * Finds the `@DurableEventHandler` methods of every provider and runs their consumers, and
 * exports each one's backlog on every scrape (`parley_jetstream_consumer_pending` and
 * `parley_jetstream_consumer_ack_pending`, from JetStream's consumer info): the consumer
 * lag an operator alerts on. Every replica of a service reports the same consumers.
 */
@Injectable()
export class DurableEventHandlers implements OnApplicationBootstrap {
  private readonly running: RunningConsumer[] = [];
  private readonly handlers = new Map<DurableConsumerName, DurableHandlerMethod<never>>();
  /** The backlog query of the scrape under way, shared by both gauges. */
  private polling: Promise<ConsumerBacklog[]> | undefined;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly moduleRef: ModuleRef,
    private readonly bus: NatsBus,
    @Inject(SERVICE_INFO) private readonly info: ServiceInfo,
    @Inject(PARLEY_ENV) private readonly env: BaseEnv,
    @Inject(PARLEY_LOGGER) private readonly logger: ParleyLogger,
    metrics: MetricsService,
  ) {
    const backlog = (): Promise<ConsumerBacklog[]> => this.sharedBacklog();
    const labelNames = ['stream', 'consumer'] as const;
    new Gauge({
      name: 'parley_jetstream_consumer_pending',
      help: "Messages a durable consumer of this service has not been delivered yet (JetStream's num_pending).",
      labelNames,
      registers: [metrics.registry],
      async collect() {
        const rows = await backlog();
        this.reset();
        for (const r of rows) this.set({ stream: r.stream, consumer: r.consumer }, r.pending);
      },
    });
    new Gauge({
      name: 'parley_jetstream_consumer_ack_pending',
      help: "Messages delivered to a durable consumer of this service and not acknowledged yet (JetStream's num_ack_pending).",
      labelNames,
      registers: [metrics.registry],
      async collect() {
        const rows = await backlog();
        this.reset();
        for (const r of rows) this.set({ stream: r.stream, consumer: r.consumer }, r.ackPending);
      },
    });
  }

  /**
   * Each running consumer's backlog, as JetStream reports it now. A consumer whose info
   * cannot be read (NATS unreachable) is left out, so its series goes stale rather than
   * showing an old number.
   */
  async backlog(): Promise<ConsumerBacklog[]> {
    if (this.running.length === 0) return [];
    const jsm = await this.bus.connection.jetstreamManager();
    const rows: ConsumerBacklog[] = [];
    for (const r of this.running) {
      try {
        const info = await jsm.consumers.info(r.stream, r.durable);
        rows.push({
          stream: r.stream,
          consumer: r.durable,
          pending: info.num_pending,
          ackPending: info.num_ack_pending,
        });
      } catch (error) {
        this.logger.debug({ consumer: r.name, err: error }, 'consumer info unavailable');
      }
    }
    return rows;
  }

  private sharedBacklog(): Promise<ConsumerBacklog[]> {
    this.polling ??= this.backlog()
      .catch((error: unknown) => {
        this.logger.debug({ err: error }, 'consumer backlog unavailable');
        return [];
      })
      .finally(() => {
        this.polling = undefined;
      });
    return this.polling;
  }

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
    this.running.push({
      name,
      stream: this.bus.jetStreamName(def.stream),
      durable: this.bus.jetStreamName(durable),
      consumer,
    });
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

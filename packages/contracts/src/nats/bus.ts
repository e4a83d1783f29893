import { randomUUID } from 'node:crypto';
import {
  AckPolicy,
  DeliverPolicy,
  type ConsumerMessages,
  type JetStreamClient,
  type JsMsg,
  type Msg,
  type NatsConnection,
  type Subscription,
  type MsgHdrs,
} from 'nats';
import { type ZodError, type ZodType } from 'zod';
import { isErrorCode, ParleyError } from '../errors';
import {
  commandSchemas,
  eventSchema,
  type AnyEventSubject,
  type CommandReply,
  type CommandRequest,
  type CommandRequestInput,
  type CommandSchemas,
  type CommandSubject,
  type DurableEventSubject,
  type EventPayload,
  type EventSubject,
} from '../subjects/registry';
import { buildHeaders, readCorrelationId, type MessageMeta } from './headers';
import { checkNatsNamespace, logicalSubject, namespacedName, namespacedSubject } from './namespace';

/**
 * Wire format of request/reply commands. It is the envelope of NestJS's NATS transport,
 * so a `@MessagePattern` handler in any service answers a request made here and vice versa.
 */
interface RequestEnvelope<T> {
  pattern: string;
  data: T;
  id: string;
}
interface ReplyEnvelope {
  id?: string;
  response?: unknown;
  err?: unknown;
  isDisposed?: boolean;
}

export interface BusErrorReporter {
  (event: 'invalid-payload' | 'handler-failed', detail: { subject: string; error: unknown }): void;
}

export interface NatsBusOptions {
  /** Who is sending: `<service>/<instance>`; travels in a header for debugging. */
  source: string;
  /** The correlation id of the current context, used when a call does not pass one. */
  currentCorrelationId?: () => string | undefined;
  /** Told about every message dropped at the edge, so nothing is dropped silently. */
  onError?: BusErrorReporter;
  /**
   * The deployment's NATS namespace (`PARLEY_NATS_NAMESPACE`): every subject, stream and
   * durable consumer name on the wire carries it, so deployments sharing a NATS never
   * meet. Callers keep using logical names. Empty or missing: no prefix.
   */
  namespace?: string;
}

export interface HandlerContext {
  /** The logical subject (without the namespace). */
  subject: string;
  correlationId: string | undefined;
  headers: MsgHdrs | undefined;
}

/** Raised by `request` when the other side answered with an error or did not answer. */
export class BusRequestError extends Error {
  constructor(
    readonly subject: string,
    readonly kind: 'timeout' | 'no-responders' | 'remote-error' | 'invalid-reply',
    message: string,
    readonly remoteCode?: number | string,
  ) {
    super(`${subject}: ${message}`);
    this.name = 'BusRequestError';
  }
}

/**
 * Thrown by a durable event handler when no redelivery can help (the event names nothing
 * this service knows): with a dead-letter store it goes there at once, else it is retried
 * like any failure.
 */
export class UnprocessableEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnprocessableEventError';
  }
}

/** Result of a durable publish: `duplicate` is true when JetStream dropped it as a repeat. */
export interface DurablePublishAck {
  stream: string;
  seq: number;
  duplicate: boolean;
}

export interface DurableConsumerOptions<S extends DurableEventSubject> {
  /** The logical stream name (`PARLEY_MEDIA`); the bus adds its namespace. */
  stream: string;
  /**
   * Durable consumer name: the position survives restarts of every consumer process.
   * Logical too: the bus adds its namespace.
   */
  durable: string;
  /** The subject (or a filter matching it) to consume. */
  subject: S;
  handler: (payload: EventPayload<S>, ctx: HandlerContext) => Promise<void>;
  /** How long a message may be in flight before JetStream redelivers it. */
  ackWaitMs?: number;
  /** Deliveries before a message is given up on (and reported). */
  maxDeliver?: number;
  /**
   * Where a message goes once `maxDeliver` deliveries failed (a dead-letter store). With
   * it, JetStream's own limit is lifted: the message is acked only after this resolved,
   * so a message whose dead letter could not be written is delivered again, never lost.
   */
  onExhausted?: (
    payload: EventPayload<S>,
    ctx: HandlerContext & { deliveries: number },
    error: unknown,
  ) => Promise<void>;
  /** Where a new durable starts: every retained message (default) or only new ones. */
  startAt?: 'all' | 'new';
  /**
   * Messages handled at once by this process (default 1: one after another, in stream
   * order). Each message is still acked only after its own handler succeeded.
   */
  concurrency?: number;
  /**
   * With concurrency: the payload field whose messages must be handled in stream order
   * (a call's events by `callSid`); messages of one key wait for each other, messages of
   * different keys run at once.
   */
  orderKey?: keyof EventPayload<S> & string;
}

export interface DurableConsumer {
  /** Stops pulling; messages in flight finish first. */
  stop(): Promise<void>;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

function encodeJson(value: unknown): Uint8Array {
  return enc.encode(JSON.stringify(value));
}

function decodeJson(data: Uint8Array): unknown {
  return JSON.parse(dec.decode(data)) as unknown;
}

function describeZod(error: ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

/**
 * The typed NATS client every service and tool uses. Payloads are validated against the
 * subject's schema on the way out (a bug is caught at its source) and on the way in
 * (nothing unvalidated reaches a handler). Requests always carry a timeout.
 */
export class NatsBus {
  private readonly js: JetStreamClient;
  /** The namespace of every subject and JetStream name on the wire; undefined: none. */
  readonly namespace: string | undefined;

  constructor(
    readonly connection: NatsConnection,
    private readonly options: NatsBusOptions,
  ) {
    this.js = connection.jetstream();
    this.namespace = checkNatsNamespace(options.namespace);
  }

  /** The subject on the wire for a logical subject (or filter). */
  wireSubject(subject: string): string {
    return namespacedSubject(this.namespace, subject);
  }

  /** The concrete name of a stream or durable consumer, from its logical name. */
  jetStreamName(name: string): string {
    return namespacedName(this.namespace, name);
  }

  /** Fire-and-forget event over core NATS. */
  publish<S extends EventSubject>(
    subject: S,
    payload: EventPayload<S>,
    meta: MessageMeta = {},
  ): void {
    const body = this.validate(eventSchema(subject), subject, payload);
    this.connection.publish(this.wireSubject(subject), encodeJson(body), {
      headers: this.headers(meta),
    });
  }

  /** Durable event through JetStream; `msgId` makes a retried publish harmless. */
  async publishDurable<S extends DurableEventSubject>(
    subject: S,
    payload: EventPayload<S>,
    meta: MessageMeta & { msgId: string; timeoutMs?: number },
  ): Promise<DurablePublishAck> {
    const body = this.validate(eventSchema(subject), subject, payload);
    const ack = await this.js.publish(this.wireSubject(subject), encodeJson(body), {
      msgID: meta.msgId,
      headers: this.headers(meta),
      timeout: meta.timeoutMs ?? 5_000,
    });
    return { stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate };
  }

  /** Request/reply with a mandatory timeout; the reply is validated before it is returned. */
  async request<S extends CommandSubject>(
    subject: S,
    payload: CommandRequestInput<S>,
    opts: MessageMeta & { timeoutMs: number },
  ): Promise<CommandReply<S>> {
    const schemas = commandSchemas(subject);
    const data = this.validate(schemas.request, subject, payload);
    const envelope: RequestEnvelope<unknown> = { pattern: subject, data, id: randomUUID() };
    let msg: Msg;
    try {
      msg = await this.connection.request(this.wireSubject(subject), encodeJson(envelope), {
        timeout: opts.timeoutMs,
        headers: this.headers(opts),
      });
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === '503')
        throw new BusRequestError(subject, 'no-responders', 'no service is listening');
      if (code === 'TIMEOUT') {
        throw new BusRequestError(subject, 'timeout', `no reply within ${opts.timeoutMs} ms`);
      }
      throw error;
    }
    const reply = decodeJson(msg.data) as ReplyEnvelope;
    if (reply.err !== undefined && reply.err !== null) {
      const err = reply.err as { code?: unknown; message?: unknown } | string;
      if (typeof err === 'object') {
        const message = typeof err.message === 'string' ? err.message : JSON.stringify(err);
        if (isErrorCode(err.code)) throw new ParleyError(err.code, message);
        throw new BusRequestError(
          subject,
          'remote-error',
          message,
          err.code as string | number | undefined,
        );
      }
      throw new BusRequestError(subject, 'remote-error', String(err));
    }
    const parsed = schemas.reply.safeParse(reply.response);
    if (!parsed.success) {
      throw new BusRequestError(subject, 'invalid-reply', describeZod(parsed.error));
    }
    return parsed.data;
  }

  /**
   * Serves a command outside NestJS (tools, simulators, tests). Services use the
   * `@CommandHandler` decorator of nest-kit instead; both speak the same envelope.
   */
  handle<S extends CommandSubject>(
    subject: S,
    handler: (request: CommandRequest<S>, ctx: HandlerContext) => Promise<CommandReply<S>>,
    opts: { queue?: string } = {},
  ): Subscription {
    const schemas = commandSchemas(subject);
    return this.connection.subscribe(this.wireSubject(subject), {
      queue: opts.queue,
      callback: (err, msg) => {
        if (err) return this.report('handler-failed', subject, err);
        void this.answer(msg, schemas, handler);
      },
    });
  }

  /**
   * Subscribes to an event; invalid payloads are reported and never reach the handler.
   * A durable event can be followed here too (JetStream publishes reach core subscribers):
   * for a live view without a consumer, where a message missed while disconnected is fine.
   */
  subscribe<S extends AnyEventSubject>(
    subject: S,
    handler: (payload: EventPayload<S>, ctx: HandlerContext) => Promise<void> | void,
    opts: { queue?: string } = {},
  ): Subscription {
    const schema = eventSchema(subject);
    return this.connection.subscribe(this.wireSubject(subject), {
      queue: opts.queue,
      callback: (err, msg) => {
        if (err) return this.report('handler-failed', subject, err);
        const received = logicalSubject(this.namespace, msg.subject);
        const parsed = this.parse(schema, received, msg.data);
        if (parsed === undefined) return;
        Promise.resolve(handler(parsed, this.context(received, msg.headers))).catch(
          (error: unknown) => this.report('handler-failed', received, error),
        );
      },
    });
  }

  /**
   * Consumes a durable event with a durable pull consumer and explicit acks: a message is
   * acked only after its handler succeeded, redelivered after a failure, and delivered to
   * the next consumer instance (not again) after an ack. Malformed messages are terminated
   * and reported rather than redelivered forever.
   */
  async consumeDurable<S extends DurableEventSubject>(
    opts: DurableConsumerOptions<S>,
  ): Promise<DurableConsumer> {
    const jsm = await this.connection.jetstreamManager();
    const ackWaitMs = opts.ackWaitMs ?? 30_000;
    const stream = this.jetStreamName(opts.stream);
    const durable = this.jetStreamName(opts.durable);
    await jsm.consumers.add(stream, {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: opts.startAt === 'new' ? DeliverPolicy.New : DeliverPolicy.All,
      filter_subject: this.wireSubject(opts.subject),
      ack_wait: ackWaitMs * 1_000_000,
      max_deliver: opts.onExhausted ? -1 : (opts.maxDeliver ?? 10),
    });
    const consumer = await this.js.consumers.get(stream, durable);
    const concurrency = Math.max(1, opts.concurrency ?? 1);
    const messages: ConsumerMessages = await consumer.consume({
      max_messages: Math.max(64, concurrency * 2),
    });
    const schema = eventSchema(opts.subject);
    const done = (async () => {
      // handleDurable() never rejects: a failed handler naks its own message.
      const inFlight = new Set<Promise<void>>();
      const lastOfKey = new Map<string, Promise<void>>();
      for await (const m of messages) {
        const received = logicalSubject(this.namespace, m.subject);
        const parsed = this.parse(schema, received, m.data);
        if (parsed === undefined) {
          m.term();
          continue;
        }
        const key = opts.orderKey === undefined ? null : String(parsed[opts.orderKey]);
        const before = key === null ? undefined : lastOfKey.get(key);
        const handled: Promise<void> = (before ?? Promise.resolve())
          .then(() => this.handleDurable(m, received, parsed, opts))
          .finally(() => {
            inFlight.delete(handled);
            if (key !== null && lastOfKey.get(key) === handled) lastOfKey.delete(key);
          });
        inFlight.add(handled);
        if (key !== null) lastOfKey.set(key, handled);
        if (inFlight.size >= concurrency) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
    })();
    return {
      stop: async () => {
        await messages.close();
        await done;
      },
    };
  }

  private async handleDurable<S extends DurableEventSubject>(
    m: JsMsg,
    received: string,
    parsed: EventPayload<S>,
    opts: DurableConsumerOptions<S>,
  ): Promise<void> {
    try {
      await opts.handler(parsed, this.context(received, m.headers));
      await m.ackAck();
    } catch (error) {
      this.report('handler-failed', received, error);
      const deliveries = m.info.deliveryCount;
      const hopeless = error instanceof UnprocessableEventError;
      if (opts.onExhausted && (hopeless || deliveries >= (opts.maxDeliver ?? 10))) {
        try {
          await opts.onExhausted(
            parsed,
            { ...this.context(received, m.headers), deliveries },
            error,
          );
          await m.ackAck();
          return;
        } catch (deadLetterError) {
          this.report('handler-failed', received, deadLetterError);
        }
      }
      // Back off with the delivery count so a failing dependency is not hammered.
      m.nak(Math.min(30_000, 500 * 2 ** Math.min(m.info.redeliveryCount, 6)));
    }
  }

  private async answer<S extends CommandSubject>(
    msg: Msg,
    schemas: CommandSchemas<S>,
    handler: (request: CommandRequest<S>, ctx: HandlerContext) => Promise<CommandReply<S>>,
  ): Promise<void> {
    const subject = logicalSubject(this.namespace, msg.subject);
    let envelope: RequestEnvelope<unknown>;
    try {
      envelope = decodeJson(msg.data) as RequestEnvelope<unknown>;
    } catch (error) {
      this.report('invalid-payload', subject, error);
      msg.respond(
        encodeJson({
          err: { code: 'invalid-payload', message: 'body is not JSON' },
          isDisposed: true,
        }),
      );
      return;
    }
    const reply = (body: ReplyEnvelope) =>
      msg.respond(encodeJson({ ...body, id: envelope.id, isDisposed: true }));
    const parsed = schemas.request.safeParse(envelope.data);
    if (!parsed.success) {
      this.report('invalid-payload', subject, parsed.error);
      reply({ err: { code: 'invalid-payload', message: describeZod(parsed.error) } });
      return;
    }
    try {
      const response = await handler(parsed.data, this.context(subject, msg.headers));
      reply({ response: schemas.reply.parse(response) });
    } catch (error) {
      this.report('handler-failed', subject, error);
      const code = error instanceof ParleyError ? error.code : 'internal';
      reply({ err: { code, message: error instanceof Error ? error.message : String(error) } });
    }
  }

  private validate<T>(schema: ZodType<T>, subject: string, payload: unknown): T {
    const parsed = schema.safeParse(payload);
    if (!parsed.success) {
      throw new TypeError(
        `payload for ${subject} does not match its contract: ${describeZod(parsed.error)}`,
      );
    }
    return parsed.data;
  }

  private parse<T>(schema: ZodType<T>, subject: string, data: Uint8Array): T | undefined {
    let json: unknown;
    try {
      json = decodeJson(data);
    } catch (error) {
      this.report('invalid-payload', subject, error);
      return undefined;
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      this.report('invalid-payload', subject, parsed.error);
      return undefined;
    }
    return parsed.data;
  }

  private context(subject: string, headers: MsgHdrs | undefined): HandlerContext {
    return { subject, headers, correlationId: readCorrelationId(headers) };
  }

  private headers(meta: MessageMeta): MsgHdrs {
    return buildHeaders(
      this.options.source,
      meta.correlationId ?? this.options.currentCorrelationId?.(),
    );
  }

  private report(
    event: 'invalid-payload' | 'handler-failed',
    subject: string,
    error: unknown,
  ): void {
    if (this.options.onError) this.options.onError(event, { subject, error });
    else console.error(`[nats-bus] ${event} on ${subject}:`, error);
  }
}

export type { AnyEventSubject };

import { type z } from 'zod';
import { SERVICE_DOMAINS, type ServiceName } from '../enums';
import { CallStatusChangedV1 } from './calls';
import { HealthCheckRequestV1, HealthReportV1, ServiceStartedV1, ServiceStoppingV1 } from './ops';

/**
 * The one map every publisher and subscriber is typed from.
 * Subjects: `<domain>.v<N>.<entity>.<event>` (past tense) for events and
 * `<domain>.v<N>.<entity>.<verb>` for request/reply commands. A breaking change adds a
 * new version beside the old one.
 */

/** Fire-and-forget events over core NATS: losing one costs nothing that matters. */
export const events = {
  'ops.v1.service.started': ServiceStartedV1,
  'ops.v1.service.stopping': ServiceStoppingV1,
  /** Re-announcement every few seconds, so instances started earlier are known too. */
  'ops.v1.service.heartbeat': ServiceStartedV1,
} as const;

/** Events that must not be lost: published to JetStream with a de-duplication id. */
export const durableEvents = {
  'calls.v1.call.status-changed': CallStatusChangedV1,
} as const;

/** Request/reply commands: the caller waits, always with a timeout. */
export const commands = {
  'calls.v1.health.check': { request: HealthCheckRequestV1, reply: HealthReportV1 },
  'twiml.v1.health.check': { request: HealthCheckRequestV1, reply: HealthReportV1 },
  'consent.v1.health.check': { request: HealthCheckRequestV1, reply: HealthReportV1 },
  'webhooks.v1.health.check': { request: HealthCheckRequestV1, reply: HealthReportV1 },
  'media.v1.health.check': { request: HealthCheckRequestV1, reply: HealthReportV1 },
} as const;

export type EventSubject = keyof typeof events;
export type DurableEventSubject = keyof typeof durableEvents;
export type AnyEventSubject = EventSubject | DurableEventSubject;
export type CommandSubject = keyof typeof commands;

export type EventPayload<S extends AnyEventSubject> = S extends EventSubject
  ? z.infer<(typeof events)[S]>
  : S extends DurableEventSubject
    ? z.infer<(typeof durableEvents)[S]>
    : never;
export type CommandRequest<S extends CommandSubject> = z.infer<(typeof commands)[S]['request']>;
export type CommandReply<S extends CommandSubject> = z.infer<(typeof commands)[S]['reply']>;

export function eventSchema<S extends AnyEventSubject>(subject: S): z.ZodType<EventPayload<S>> {
  const schema =
    (events as Record<string, z.ZodTypeAny>)[subject] ??
    (durableEvents as Record<string, z.ZodTypeAny>)[subject];
  if (!schema) throw new Error(`unknown event subject ${subject}`);
  return schema as z.ZodType<EventPayload<S>>;
}

export function commandSchemas<S extends CommandSubject>(
  subject: S,
): { request: z.ZodType<CommandRequest<S>>; reply: z.ZodType<CommandReply<S>> } {
  return commands[subject];
}

/** The health-check command of a service, by its domain. */
export function healthCheckSubject(service: ServiceName): CommandSubject {
  return `${SERVICE_DOMAINS[service]}.v1.health.check`;
}

/**
 * JetStream streams Parley needs. `./dev` and the Helm chart create them from this list;
 * services only verify they exist. Stream subjects never overlap command subjects
 * (a stream would otherwise answer requests with publish acks).
 */
export interface StreamDefinition {
  name: string;
  subjects: readonly string[];
  description: string;
  /** How long the stream keeps messages, in seconds. */
  maxAgeSeconds: number;
  /** Window in which a repeated de-duplication id is dropped, in seconds. */
  duplicateWindowSeconds: number;
}

export const streams: readonly StreamDefinition[] = [
  {
    name: 'PARLEY_CALLS',
    subjects: ['calls.v1.call.>'],
    description: 'Call lifecycle events: every status transition of every call.',
    maxAgeSeconds: 7 * 24 * 3600,
    duplicateWindowSeconds: 2 * 60,
  },
];

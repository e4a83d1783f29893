import { type z, type ZodTypeDef } from 'zod';
import { SERVICE_DOMAINS, type ServiceDomain, type ServiceName } from '../enums';
import {
  AccountSigningKeyReplyV1,
  AccountSigningKeyRequestV1,
  CallAcceptRequestV1,
  CallCommandReplyV1,
  CallDialReplyV1,
  CallDialRequestV1,
  CallHangupRequestV1,
  CallPermissionRepliedV1,
  CallRecordingStartReplyV1,
  CallRecordingStartRequestV1,
  CallRejectRequestV1,
  CallStatusChangedV1,
  PermissionCheckReplyV1,
  PermissionCheckRequestV1,
  PermissionRequestReserveReplyV1,
  PermissionRequestReserveRequestV1,
  PermissionRequestSettleReplyV1,
  PermissionRequestSettleRequestV1,
  PermissionReleaseReplyV1,
  PermissionReleaseRequestV1,
  PermissionStateReplyV1,
  PermissionStateRequestV1,
  RecordingStatusChangedV1,
  SessionMovedV1,
  SessionRedirectRequestV1,
  SessionStartReplyV1,
  SessionStartRequestV1,
  StreamStatusChangedV1,
} from './calls';
import {
  BridgeCreateRequestV1,
  BridgeDestroyRequestV1,
  DtmfReceivedV1,
  LegAnswerReplyV1,
  LegAnswerRequestV1,
  LegApplyAnswerRequestV1,
  LegCloseReplyV1,
  LegCloseRequestV1,
  LegConnectedV1,
  LegFailedV1,
  LegHoldRequestV1,
  LegOfferReplyV1,
  LegOfferRequestV1,
  OkReplyV1,
  PlayFinishedV1,
  PlayStartReplyV1,
  PlayStartRequestV1,
  PlayStopReplyV1,
  PlayStopRequestV1,
  RecordingCompletedV1,
  RecordingStartReplyV1,
  RecordingStartRequestV1,
  RecordingStopRequestV1,
  StreamEndedV1,
  StreamStartedV1,
  StreamStartReplyV1,
  StreamStartRequestV1,
  StreamStopReplyV1,
  StreamStopRequestV1,
} from './media';
import { ContentApprovalChangedV1, MessageReceivedV1, MessageStatusChangedV1 } from './messages';
import { HealthCheckRequestV1, HealthReportV1, ServiceStartedV1, ServiceStoppingV1 } from './ops';
import {
  DeliveriesRedriveReplyV1,
  DeliveriesRedriveRequestV1,
  RequestLogGetReplyV1,
  RequestLogGetRequestV1,
  RequestLogListReplyV1,
  RequestLogListRequestV1,
} from './webhooks';

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
  'media.v1.leg.connected': LegConnectedV1,
  'media.v1.play.finished': PlayFinishedV1,
  'media.v1.dtmf.received': DtmfReceivedV1,
  'twiml.v1.session.moved': SessionMovedV1,
} as const;

/** Events that must not be lost: published to JetStream with a de-duplication id. */
export const durableEvents = {
  'calls.v1.call.status-changed': CallStatusChangedV1,
  'calls.v1.permission.replied': CallPermissionRepliedV1,
  'calls.v1.recording.status-changed': RecordingStatusChangedV1,
  'media.v1.recording.completed': RecordingCompletedV1,
  'calls.v1.message.status-changed': MessageStatusChangedV1,
  'calls.v1.message.received': MessageReceivedV1,
  'calls.v1.content.approval-changed': ContentApprovalChangedV1,
  /** A leg failed or was lost with its media instance: call-control ends the call. */
  'media.v1.leg.failed': LegFailedV1,
  /** A Media Stream's socket opened; its end follows as `media.v1.stream.ended`. */
  'media.v1.stream.started': StreamStartedV1,
  /** A lost end would leave the interpreter waiting on `<Connect><Stream>`. */
  'media.v1.stream.ended': StreamEndedV1,
  'calls.v1.stream.status-changed': StreamStatusChangedV1,
} as const;

/** Request/reply commands: the caller waits, always with a timeout. */
export const commands = {
  'calls.v1.health.check': { request: HealthCheckRequestV1, reply: HealthReportV1 },
  'twiml.v1.health.check': { request: HealthCheckRequestV1, reply: HealthReportV1 },
  'consent.v1.health.check': { request: HealthCheckRequestV1, reply: HealthReportV1 },
  'webhooks.v1.health.check': { request: HealthCheckRequestV1, reply: HealthReportV1 },
  'media.v1.health.check': { request: HealthCheckRequestV1, reply: HealthReportV1 },

  'calls.v1.call.accept': { request: CallAcceptRequestV1, reply: CallCommandReplyV1 },
  'calls.v1.call.reject': { request: CallRejectRequestV1, reply: CallCommandReplyV1 },
  'calls.v1.call.hangup': { request: CallHangupRequestV1, reply: CallCommandReplyV1 },
  'calls.v1.call.dial': { request: CallDialRequestV1, reply: CallDialReplyV1 },
  'calls.v1.recording.start': {
    request: CallRecordingStartRequestV1,
    reply: CallRecordingStartReplyV1,
  },
  'calls.v1.account.signing-key': {
    request: AccountSigningKeyRequestV1,
    reply: AccountSigningKeyReplyV1,
  },

  'twiml.v1.session.start': { request: SessionStartRequestV1, reply: SessionStartReplyV1 },
  'twiml.v1.session.redirect': { request: SessionRedirectRequestV1, reply: SessionStartReplyV1 },

  'consent.v1.permission.check': {
    request: PermissionCheckRequestV1,
    reply: PermissionCheckReplyV1,
  },
  'consent.v1.permission.release': {
    request: PermissionReleaseRequestV1,
    reply: PermissionReleaseReplyV1,
  },
  'consent.v1.permission.state': {
    request: PermissionStateRequestV1,
    reply: PermissionStateReplyV1,
  },
  'consent.v1.permission-request.reserve': {
    request: PermissionRequestReserveRequestV1,
    reply: PermissionRequestReserveReplyV1,
  },
  'consent.v1.permission-request.settle': {
    request: PermissionRequestSettleRequestV1,
    reply: PermissionRequestSettleReplyV1,
  },

  'media.v1.leg.answer': { request: LegAnswerRequestV1, reply: LegAnswerReplyV1 },
  'media.v1.leg.offer': { request: LegOfferRequestV1, reply: LegOfferReplyV1 },
  'media.v1.leg.apply-answer': { request: LegApplyAnswerRequestV1, reply: OkReplyV1 },
  'media.v1.leg.close': { request: LegCloseRequestV1, reply: LegCloseReplyV1 },
  'media.v1.leg.hold': { request: LegHoldRequestV1, reply: OkReplyV1 },
  'media.v1.play.start': { request: PlayStartRequestV1, reply: PlayStartReplyV1 },
  'media.v1.play.stop': { request: PlayStopRequestV1, reply: PlayStopReplyV1 },
  'media.v1.bridge.create': { request: BridgeCreateRequestV1, reply: OkReplyV1 },
  'media.v1.bridge.destroy': { request: BridgeDestroyRequestV1, reply: OkReplyV1 },
  'media.v1.recording.start': { request: RecordingStartRequestV1, reply: RecordingStartReplyV1 },
  'media.v1.recording.stop': { request: RecordingStopRequestV1, reply: OkReplyV1 },
  'media.v1.stream.start': { request: StreamStartRequestV1, reply: StreamStartReplyV1 },
  'media.v1.stream.stop': { request: StreamStopRequestV1, reply: StreamStopReplyV1 },

  'webhooks.v1.deliveries.redrive': {
    request: DeliveriesRedriveRequestV1,
    reply: DeliveriesRedriveReplyV1,
  },
  /** The request log (notifications, alerts, a call's Events.json), scoped by account. */
  'webhooks.v1.request-log.list': {
    request: RequestLogListRequestV1,
    reply: RequestLogListReplyV1,
  },
  'webhooks.v1.request-log.get': { request: RequestLogGetRequestV1, reply: RequestLogGetReplyV1 },
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
/** What a handler receives: defaults applied. */
export type CommandRequest<S extends CommandSubject> = z.infer<(typeof commands)[S]['request']>;
/** What a caller sends: fields with defaults may be left out. */
export type CommandRequestInput<S extends CommandSubject> = z.input<
  (typeof commands)[S]['request']
>;
export type CommandReply<S extends CommandSubject> = z.infer<(typeof commands)[S]['reply']>;

export function eventSchema<S extends AnyEventSubject>(subject: S): z.ZodType<EventPayload<S>> {
  const schema =
    (events as Record<string, z.ZodTypeAny>)[subject] ??
    (durableEvents as Record<string, z.ZodTypeAny>)[subject];
  if (!schema) throw new Error(`unknown event subject ${subject}`);
  return schema as z.ZodType<EventPayload<S>>;
}

export interface CommandSchemas<S extends CommandSubject> {
  request: z.ZodType<CommandRequest<S>, ZodTypeDef, CommandRequestInput<S>>;
  reply: z.ZodType<CommandReply<S>>;
}

export function commandSchemas<S extends CommandSubject>(subject: S): CommandSchemas<S> {
  return commands[subject] as unknown as CommandSchemas<S>;
}

/** The health-check command of a service, by its domain. */
export type HealthCheckSubject = `${ServiceDomain}.v1.health.check`;
export function healthCheckSubject(service: ServiceName): HealthCheckSubject {
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
    subjects: [
      'calls.v1.call.status-changed',
      'calls.v1.permission.replied',
      'calls.v1.recording.status-changed',
      'calls.v1.stream.status-changed',
    ],
    description:
      'Call lifecycle events, WhatsApp permission replies, recording and media stream statuses.',
    maxAgeSeconds: 7 * 24 * 3600,
    duplicateWindowSeconds: 2 * 60,
  },
  {
    name: 'PARLEY_MEDIA',
    subjects: [
      'media.v1.recording.completed',
      'media.v1.leg.failed',
      'media.v1.stream.started',
      'media.v1.stream.ended',
    ],
    description:
      'Recordings finished by media, legs it lost and media streams started and ended: all must reach call-control.',
    maxAgeSeconds: 7 * 24 * 3600,
    duplicateWindowSeconds: 2 * 60,
  },
  {
    name: 'PARLEY_MESSAGES',
    subjects: [
      'calls.v1.message.status-changed',
      'calls.v1.message.received',
      'calls.v1.content.approval-changed',
    ],
    description:
      'WhatsApp message statuses, incoming messages and template approvals, for the business webhooks.',
    maxAgeSeconds: 7 * 24 * 3600,
    duplicateWindowSeconds: 2 * 60,
  },
];

/** A JetStream durable consumer: which service takes which durable event, and how. */
export interface DurableConsumerDefinition<S extends DurableEventSubject = DurableEventSubject> {
  subject: S;
  /** The stream holding `subject` (see `streams`). */
  stream: string;
  /** The only service that runs this consumer. */
  service: ServiceName;
  /** Durable name, shared by every replica so each message is taken once. */
  durable: string;
  /** Environment variable of the owning service that may rename the durable. */
  durableEnv?: string;
  /** Delivery options, as NatsBus.consumeDurable takes them (its defaults otherwise). */
  ackWaitMs?: number;
  maxDeliver?: number;
  /** Environment variable of the owning service that may change `maxDeliver`. */
  maxDeliverEnv?: string;
  startAt?: 'all' | 'new';
  /** Messages handled at once per process, and the payload field that keeps its order. */
  concurrency?: number;
  /** A field of the subject's payload (checked by the registry's unit test). */
  orderKey?: string;
}

/**
 * Every durable consumer, by `<service>.<purpose>`. A service's handler names its entry
 * (`@DurableEventHandler` in nest-kit); stream, durable and delivery come from here.
 */
export const durableConsumers = {
  'call-control.recording-completions': {
    subject: 'media.v1.recording.completed',
    stream: 'PARLEY_MEDIA',
    service: 'call-control',
    durable: 'call-control-recordings',
    // Existing installations (and the test harness) may name the durable themselves.
    durableEnv: 'RECORDINGS_CONSUMER',
    // After this many failed deliveries a completion goes to call-control's dead letters.
    maxDeliver: 10,
    maxDeliverEnv: 'RECORDINGS_MAX_DELIVER',
  },
  // Ending the call of a failed leg is one transition (Meta and media told by its effects).
  'call-control.leg-failures': {
    subject: 'media.v1.leg.failed',
    stream: 'PARLEY_MEDIA',
    service: 'call-control',
    durable: 'call-control-leg-failures',
  },
  // Recording a callback is one insert: a short ack wait brings an event taken by a
  // stopping replica back soon (a repeat records nothing).
  'webhook-dispatch.call-status-callbacks': {
    subject: 'calls.v1.call.status-changed',
    stream: 'PARLEY_CALLS',
    service: 'webhook-dispatch',
    durable: 'webhook-dispatch-call-status',
    durableEnv: 'CALL_STATUS_CONSUMER',
    ackWaitMs: 10_000,
    // Recording is one insert; a call's events are still recorded in stream order.
    concurrency: 32,
    orderKey: 'callSid',
  },
  'webhook-dispatch.recording-status-callbacks': {
    subject: 'calls.v1.recording.status-changed',
    stream: 'PARLEY_CALLS',
    service: 'webhook-dispatch',
    durable: 'webhook-dispatch-recording-status',
    durableEnv: 'RECORDING_STATUS_CONSUMER',
    ackWaitMs: 10_000,
    concurrency: 32,
    orderKey: 'recordingSid',
  },
  // A Media Stream's row and its `stream-started` callback event (one upsert, idempotent).
  'call-control.stream-starts': {
    subject: 'media.v1.stream.started',
    stream: 'PARLEY_MEDIA',
    service: 'call-control',
    durable: 'call-control-stream-starts',
    ackWaitMs: 10_000,
  },
  'call-control.stream-ends': {
    subject: 'media.v1.stream.ended',
    stream: 'PARLEY_MEDIA',
    service: 'call-control',
    durable: 'call-control-stream-ends',
    ackWaitMs: 10_000,
  },
  'webhook-dispatch.stream-status-callbacks': {
    subject: 'calls.v1.stream.status-changed',
    stream: 'PARLEY_CALLS',
    service: 'webhook-dispatch',
    durable: 'webhook-dispatch-stream-status',
    durableEnv: 'STREAM_STATUS_CONSUMER',
    ackWaitMs: 10_000,
    concurrency: 32,
    orderKey: 'streamSid',
  },
  // The consent ledger: call outcomes and permission replies. Each event is applied in one
  // transaction keyed by the event, so a redelivery records nothing twice.
  'consent.call-outcomes': {
    subject: 'calls.v1.call.status-changed',
    stream: 'PARLEY_CALLS',
    service: 'consent',
    durable: 'consent-call-outcomes',
    durableEnv: 'CALL_OUTCOMES_CONSUMER',
    ackWaitMs: 10_000,
  },
  'consent.permission-replies': {
    subject: 'calls.v1.permission.replied',
    stream: 'PARLEY_CALLS',
    service: 'consent',
    durable: 'consent-permission-replies',
    durableEnv: 'PERMISSION_REPLIES_CONSUMER',
    ackWaitMs: 10_000,
  },
  'webhook-dispatch.message-status-callbacks': {
    subject: 'calls.v1.message.status-changed',
    stream: 'PARLEY_MESSAGES',
    service: 'webhook-dispatch',
    durable: 'webhook-dispatch-message-status',
    durableEnv: 'MESSAGE_STATUS_CONSUMER',
    ackWaitMs: 10_000,
  },
  'webhook-dispatch.incoming-messages': {
    subject: 'calls.v1.message.received',
    stream: 'PARLEY_MESSAGES',
    service: 'webhook-dispatch',
    durable: 'webhook-dispatch-incoming-messages',
    durableEnv: 'INCOMING_MESSAGES_CONSUMER',
    ackWaitMs: 10_000,
  },
  'webhook-dispatch.content-approvals': {
    subject: 'calls.v1.content.approval-changed',
    stream: 'PARLEY_MESSAGES',
    service: 'webhook-dispatch',
    durable: 'webhook-dispatch-content-approvals',
    durableEnv: 'CONTENT_APPROVALS_CONSUMER',
    ackWaitMs: 10_000,
  },
} as const satisfies Record<string, DurableConsumerDefinition>;

export type DurableConsumerName = keyof typeof durableConsumers;
export type DurableConsumerSubject<C extends DurableConsumerName> =
  (typeof durableConsumers)[C]['subject'];

export function durableConsumer<C extends DurableConsumerName>(
  name: C,
): DurableConsumerDefinition<DurableConsumerSubject<C>> {
  return durableConsumers[name];
}

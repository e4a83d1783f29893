export { startMetaSim, type MetaSimOptions, type RunningMetaSim } from './server';
export {
  MetaSimClient,
  MetaSimClientError,
  type ClockState,
  type CreateBusinessRequest,
  type CreateUserRequest,
  type SpeakRequest,
  type UpdateBusinessRequest,
} from './client/meta-sim-client';
export * from './media';
export * from './audio';
export type {
  Behaviour,
  BusinessRecord,
  CallDirection,
  CallEndReason,
  CallError,
  CallHours,
  CallingSettings,
  PermissionStatus,
  SimCall,
  SimCallStatus,
  UserRecord,
} from './sim/types';
export type { CallFilter } from './sim/call-engine';
export type {
  GraphRequestFilter,
  GraphRequestRecord,
  PermissionSnapshot,
  MetaSimulator,
} from './sim/simulator';
export type { LedgerLimits, LimitUsage, PermissionView } from './sim/permission-ledger';
export type { SeedConfig } from './config/seed';
export type {
  DeliveryFilter,
  VerifyResult,
  WebhookAttempt,
  WebhookDelivery,
} from './webhooks/dispatcher';
export type { WebhookPayload } from './webhooks/payloads';
export { signWebhookBody, verifyWebhookSignature } from './webhooks/signature';
export { parseDuration } from './sim/clock';
export type { LogLevel, Logger } from './logging/logger';
export {
  runDemoCall,
  HEARD_DBFS,
  QUIET_DBFS,
  type DemoCallOptions,
  type DemoCallReport,
} from './cli/demo-call';
export { TEMPLATE_STATUSES, type TemplateRecord, type TemplateStatus } from './sim/templates';

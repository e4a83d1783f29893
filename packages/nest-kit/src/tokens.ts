import { type ServiceName } from '@parley/contracts';

/** The parsed, typed environment of the running service. */
export const PARLEY_ENV = Symbol('PARLEY_ENV');
/** The running service's raw NATS connection (the typed `NatsBus` wraps it). */
export const NATS_CONNECTION = Symbol('NATS_CONNECTION');
/** The pino logger of the service. */
export const PARLEY_LOGGER = Symbol('PARLEY_LOGGER');

export interface ServiceInfo {
  name: ServiceName;
  version: string;
  instanceId: string;
  startedAt: Date;
}
export const SERVICE_INFO = Symbol('SERVICE_INFO');

/** Why the service is stopping, set by the signal handler before the app closes. */
export class ShutdownState {
  signal: string | undefined;
}

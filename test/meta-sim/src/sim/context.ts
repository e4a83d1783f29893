import type { ResolvedSettings } from '../config/options';
import type { Logger } from '../logging/logger';
import type { WebhookDispatcher } from '../webhooks/dispatcher';
import type { SimClock } from './clock';
import type { PermissionLedger } from './permission-ledger';
import type { BusinessRecord, UserRecord } from './types';

/** What the simulator's parts share. */
export interface SimContext {
  settings: ResolvedSettings;
  clock: SimClock;
  ledger: PermissionLedger;
  webhooks: WebhookDispatcher;
  logger: Logger;
  business(phoneNumberId: string): BusinessRecord | undefined;
  user(waId: string): UserRecord | undefined;
}

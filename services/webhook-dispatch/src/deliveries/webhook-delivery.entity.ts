import { type AccountSid, type CallSid } from '@parley/contracts';
import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { CALLBACK_KINDS, type CallbackKind } from '../callbacks/callback-requests';

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * One callback to a business URL and its attempts: the outbox row every replica's worker
 * sends from. The request (URL, method, form parameters) is fixed when the row is written;
 * the idempotency token is the logical event's key (`CA...:3`, `RE...:completed`), unique,
 * so a redelivered event writes nothing new, and it is sent as `I-Twilio-Idempotency-Token`
 * so a receiver can drop a repeated attempt.
 */
@Entity({ name: 'webhook_deliveries' })
@Index('webhook_deliveries_due_idx', ['status', 'nextAttemptAt'])
@Index('webhook_deliveries_order_idx', ['orderKey', 'eventSequence'])
@Check('webhook_deliveries_status_check', `"status" IN ('pending', 'delivered', 'failed')`)
@Check('webhook_deliveries_method_check', `"method" IN ('GET', 'POST')`)
@Check(
  'webhook_deliveries_kind_check',
  `"kind" IN (${CALLBACK_KINDS.map((k) => `'${k}'`).join(', ')})`,
)
export class WebhookDeliveryEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 16 })
  kind!: CallbackKind;

  @Column({ name: 'account_sid', type: 'char', length: 34 })
  accountSid!: AccountSid;

  @Index('webhook_deliveries_call_sid_idx')
  @Column({ name: 'call_sid', type: 'char', length: 34, nullable: true })
  callSid!: CallSid | null;

  /** Callbacks with the same key leave in `event_sequence` order (a call, a recording). */
  @Column({ name: 'order_key', type: 'varchar', length: 64 })
  orderKey!: string;

  @Column({ name: 'event_sequence', type: 'integer' })
  eventSequence!: number;

  /** Twilio's `SequenceNumber`: set at the first attempt, kept for every retry. */
  @Column({ name: 'callback_sequence', type: 'integer', nullable: true })
  callbackSequence!: number | null;

  @Index('webhook_deliveries_idempotency_token_key', { unique: true })
  @Column({ name: 'idempotency_token', type: 'varchar', length: 128 })
  idempotencyToken!: string;

  /** As the business gave it, connection overrides (`#rc=...`) included. */
  @Column({ type: 'text' })
  url!: string;

  /** Lower-cased host of `url`: the unit of the per-destination concurrency limit. */
  @Column({ type: 'varchar', length: 255 })
  host!: string;

  @Column({ type: 'varchar', length: 4 })
  method!: 'GET' | 'POST';

  @Column({ type: 'jsonb' })
  params!: Record<string, string>;

  /**
   * Messaging webhooks: asked when a request to `url` fails, with ErrorCode and ErrorUrl
   * added (Twilio's fallback URL). Cleared once the row has switched to it.
   */
  @Column({ name: 'fallback_url', type: 'text', nullable: true })
  fallbackUrl!: string | null;

  @Column({ name: 'fallback_method', type: 'varchar', length: 4, nullable: true })
  fallbackMethod!: 'GET' | 'POST' | null;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status!: DeliveryStatus;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz' })
  nextAttemptAt!: Date;

  /** While set and in the future, one worker owns the row; a crashed worker's lease lapses. */
  @Column({ name: 'lease_until', type: 'timestamptz', nullable: true })
  leaseUntil!: Date | null;

  @Column({ name: 'leased_by', type: 'varchar', length: 128, nullable: true })
  leasedBy!: string | null;

  @Column({ name: 'last_status_code', type: 'integer', nullable: true })
  lastStatusCode!: number | null;

  /** Twilio's error code of the last failed attempt (11200, 11205, ...). */
  @Column({ name: 'error_code', type: 'integer', nullable: true })
  errorCode!: number | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  deliveredAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { oneOfCheck } from '../database/sql-checks';

export const INBOX_STATUSES = ['pending', 'processed', 'failed'] as const;
export type InboxStatus = (typeof INBOX_STATUSES)[number];

/**
 * The inbox of verified Meta webhook events: one row per event (a call connect, a status,
 * a message), keyed by what the event is, so a redelivered webhook inserts nothing.
 * Stored before Meta gets its 200; processed right after, and again by the retry poller
 * if processing failed or the process died.
 */
@Entity({ name: 'meta_webhook_events' })
@Index('meta_webhook_events_key', ['key'], { unique: true })
@Index('meta_webhook_events_due_idx', ['status', 'nextAttemptAt'])
@Check('meta_webhook_events_status_check', oneOfCheck('status', INBOX_STATUSES))
export class MetaWebhookEventEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: string;

  @Column({ type: 'varchar', length: 512 })
  key!: string;

  @Column({ type: 'varchar', length: 32 })
  kind!: string;

  @Column({ name: 'phone_number_id', type: 'varchar', length: 64 })
  phoneNumberId!: string;

  @Column({ name: 'sender_sid', type: 'char', length: 34, nullable: true })
  senderSid!: string | null;

  /** The event as extracted from the delivery (validated). */
  @Column({ type: 'jsonb' })
  payload!: Record<string, unknown>;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status!: InboxStatus;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', default: () => 'now()' })
  nextAttemptAt!: Date;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ name: 'received_at', type: 'timestamptz', default: () => 'now()' })
  receivedAt!: Date;

  @Column({ name: 'processed_at', type: 'timestamptz', nullable: true })
  processedAt!: Date | null;
}

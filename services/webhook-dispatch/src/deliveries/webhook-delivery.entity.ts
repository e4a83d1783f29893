import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * One callback to a business URL and its attempts. The idempotency token is sent as
 * `I-Twilio-Idempotency-Token`, so a receiver can drop a retried delivery.
 */
@Entity({ name: 'webhook_deliveries' })
@Index('webhook_deliveries_due_idx', ['status', 'nextAttemptAt'])
@Check('webhook_deliveries_status_check', `"status" IN ('pending', 'delivered', 'failed')`)
@Check('webhook_deliveries_method_check', `"method" IN ('GET', 'POST')`)
export class WebhookDeliveryEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'account_sid', type: 'char', length: 34 })
  accountSid!: string;

  @Index('webhook_deliveries_call_sid_idx')
  @Column({ name: 'call_sid', type: 'char', length: 34, nullable: true })
  callSid!: string | null;

  @Index('webhook_deliveries_idempotency_token_key', { unique: true })
  @Column({ name: 'idempotency_token', type: 'varchar', length: 128 })
  idempotencyToken!: string;

  @Column({ type: 'text' })
  url!: string;

  @Column({ type: 'varchar', length: 4 })
  method!: 'GET' | 'POST';

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status!: DeliveryStatus;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz' })
  nextAttemptAt!: Date;

  @Column({ name: 'last_status_code', type: 'integer', nullable: true })
  lastStatusCode!: number | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  deliveredAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

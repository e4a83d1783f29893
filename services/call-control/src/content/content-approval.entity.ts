import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  OneToOne,
  PrimaryColumn,
  UpdateDateColumn,
} from 'typeorm';
import { oneOfCheck } from '../database/sql-checks';
import { ContentEntity } from './content.entity';

/** Twilio's WhatsApp approval statuses (`whatsapp.status` of ApprovalRequests). */
export const APPROVAL_STATUSES = [
  'received',
  'pending',
  'approved',
  'rejected',
  'paused',
  'disabled',
] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

/**
 * A Content's WhatsApp approval request: committed `received` with the Meta template to
 * submit, sent to Meta by the ApprovalSubmitter from this row (`next_attempt_at` set
 * while the submission is owed), then moved by Meta's template webhooks.
 */
@Entity({ name: 'content_approvals' })
@Check('content_approvals_status_check', oneOfCheck('status', APPROVAL_STATUSES))
@Index('content_approvals_due_idx', ['nextAttemptAt'])
@Index('content_approvals_template_idx', ['wabaId', 'name', 'language'])
@Index('content_approvals_meta_id_idx', ['wabaId', 'metaTemplateId'])
export class ContentApprovalEntity {
  @PrimaryColumn({ name: 'content_sid', type: 'char', length: 34 })
  contentSid!: string;

  @OneToOne(() => ContentEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'content_sid' })
  content?: ContentEntity;

  @Column({ name: 'account_sid', type: 'char', length: 34 })
  accountSid!: string;

  /** The sender whose Meta access token submits the template (its WABA's). */
  @Column({ name: 'sender_sid', type: 'char', length: 34 })
  senderSid!: string;

  @Column({ name: 'waba_id', type: 'varchar', length: 64 })
  wabaId!: string;

  @Column({ type: 'varchar', length: 512 })
  name!: string;

  /** Meta's language code (`en`, `pt_BR`). */
  @Column({ type: 'varchar', length: 16 })
  language!: string;

  /** As requested, then as Meta (re)classifies it. */
  @Column({ type: 'varchar', length: 32 })
  category!: string;

  @Column({ name: 'allow_category_change', type: 'boolean' })
  allowCategoryChange!: boolean;

  @Column({ name: 'content_type', type: 'varchar', length: 32 })
  contentType!: string;

  /** The Meta template submitted (`POST /{WABA_ID}/message_templates` body). */
  @Column({ type: 'jsonb' })
  template!: Record<string, unknown>;

  @Column({ type: 'varchar', length: 16 })
  status!: ApprovalStatus;

  @Column({ name: 'rejection_reason', type: 'text', nullable: true })
  rejectionReason!: string | null;

  @Column({ name: 'meta_template_id', type: 'varchar', length: 64, nullable: true })
  metaTemplateId!: string | null;

  @Column({ name: 'quality_score', type: 'varchar', length: 32, nullable: true })
  qualityScore!: string | null;

  @Column({ name: 'submit_attempts', type: 'integer', default: 0 })
  submitAttempts!: number;

  /** Set while the submission to Meta is owed; null once Meta answered (or gave up). */
  @Column({ name: 'next_attempt_at', type: 'timestamptz', nullable: true })
  nextAttemptAt!: Date | null;

  /** Orders the approval's status changes (their callbacks leave in this order). */
  @Column({ name: 'status_sequence', type: 'integer', default: 0 })
  statusSequence!: number;

  @CreateDateColumn({ name: 'date_created', type: 'timestamptz', precision: 3 })
  dateCreated!: Date;

  @UpdateDateColumn({ name: 'date_updated', type: 'timestamptz' })
  dateUpdated!: Date;
}

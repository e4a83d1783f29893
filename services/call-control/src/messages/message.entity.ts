import { MessageStatus, SID_PREFIXES } from '@parley/contracts';
import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  UpdateDateColumn,
} from 'typeorm';
import { AccountEntity } from '../accounts/account.entity';
import { oneOfCheck, sidCheck } from '../database/sql-checks';

export const MESSAGE_DIRECTIONS = ['outbound-api', 'inbound'] as const;
export type MessageDirection = (typeof MESSAGE_DIRECTIONS)[number];

/**
 * Where a call-permission request message stands with consent: `reserve` (ask before
 * sending), `reserved`, `settle-sent` / `settle-failed` (tell consent the outcome),
 * `settled`, or `refused` (consent said no; nothing was sent).
 */
export const PERMISSION_STATES = [
  'reserve',
  'reserved',
  'settle-sent',
  'settle-failed',
  'settled',
  'refused',
] as const;
export type PermissionState = (typeof PERMISSION_STATES)[number];

/**
 * A WhatsApp message (Twilio's Message resource): sent through Messages.json, or received
 * from a user. An outbound row is committed before anything reaches Meta; the sender works
 * from it (`next_attempt_at` set while work remains) until Meta took it or it failed.
 */
@Entity({ name: 'messages' })
@Check('messages_sid_check', sidCheck('sid', SID_PREFIXES.message))
@Check('messages_direction_check', oneOfCheck('direction', MESSAGE_DIRECTIONS))
@Check('messages_status_check', oneOfCheck('status', MessageStatus.options))
@Check('messages_permission_state_check', oneOfCheck('permission_state', PERMISSION_STATES))
@Index('messages_account_list_idx', ['accountSid', 'dateCreated', 'sid'])
@Index('messages_session_idx', ['senderSid', 'from', 'direction', 'dateSent'])
@Index('messages_meta_id_key', ['senderSid', 'metaMessageId'], { unique: true })
@Index('messages_due_idx', ['nextAttemptAt'])
export class MessageEntity {
  @PrimaryColumn({ type: 'char', length: 34 })
  sid!: string;

  @Column({ name: 'account_sid', type: 'char', length: 34 })
  accountSid!: string;

  @ManyToOne(() => AccountEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'account_sid' })
  account?: AccountEntity;

  /** The business's sender (XE...); kept when the sender is deleted, as history. */
  @Column({ name: 'sender_sid', type: 'char', length: 34 })
  senderSid!: string;

  @Column({ type: 'varchar', length: 16 })
  direction!: MessageDirection;

  /** `whatsapp:+E.164` addresses. */
  @Column({ type: 'varchar', length: 40 })
  from!: string;

  @Column({ type: 'varchar', length: 40 })
  to!: string;

  @Column({ type: 'text', default: '' })
  body!: string;

  @Column({ name: 'content_sid', type: 'char', length: 34, nullable: true })
  contentSid!: string | null;

  @Column({ name: 'content_variables', type: 'jsonb', nullable: true })
  contentVariables!: Record<string, string> | null;

  /** Outbound: the Meta message object to send (type and payload), fixed at creation. */
  @Column({ name: 'meta_payload', type: 'jsonb', nullable: true })
  metaPayload!: Record<string, unknown> | null;

  /** Inbound: MessageType, buttons and the user's profile, as forwarded to the business. */
  @Column({ name: 'inbound_detail', type: 'jsonb', nullable: true })
  inboundDetail!: Record<string, string | null> | null;

  @Column({ name: 'permission_state', type: 'varchar', length: 16, nullable: true })
  permissionState!: PermissionState | null;

  @Column({ type: 'varchar', length: 16 })
  status!: MessageStatus;

  @Column({ name: 'status_sequence', type: 'integer', default: 0 })
  statusSequence!: number;

  @Column({ name: 'error_code', type: 'integer', nullable: true })
  errorCode!: number | null;

  @Column({ name: 'error_message', type: 'text', nullable: true })
  errorMessage!: string | null;

  /** Meta's message id (wamid...). */
  @Column({ name: 'meta_message_id', type: 'varchar', length: 256, nullable: true })
  metaMessageId!: string | null;

  @Column({ name: 'status_callback', type: 'text', nullable: true })
  statusCallback!: string | null;

  @Column({ name: 'status_callback_method', type: 'varchar', length: 4, nullable: true })
  statusCallbackMethod!: 'GET' | 'POST' | null;

  @Column({ name: 'send_attempts', type: 'integer', default: 0 })
  sendAttempts!: number;

  /** When the sender should next work on the row; null once nothing is left to do. */
  @Column({ name: 'next_attempt_at', type: 'timestamptz', nullable: true })
  nextAttemptAt!: Date | null;

  /** Outbound: when Meta took it; inbound: when the user sent it (Meta's timestamp). */
  @Column({ name: 'date_sent', type: 'timestamptz', nullable: true })
  dateSent!: Date | null;

  @CreateDateColumn({ name: 'date_created', type: 'timestamptz', precision: 3 })
  dateCreated!: Date;

  @UpdateDateColumn({ name: 'date_updated', type: 'timestamptz' })
  dateUpdated!: Date;
}

import { SID_PREFIXES } from '@parley/contracts';
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
import { oneOfCheck, sidCheck } from '../database/sql-checks';
import { AccountEntity } from '../accounts/account.entity';
import { ApplicationEntity } from '../applications/application.entity';

export const SENDER_STATUSES = ['ONLINE', 'OFFLINE'] as const;
export type SenderStatus = (typeof SENDER_STATUSES)[number];

/** Whether WhatsApp calling was last turned on or off at Meta for the number. */
export const CALLING_STATUSES = ['ENABLED', 'DISABLED'] as const;
export type CallingStatus = (typeof CALLING_STATUSES)[number];

/**
 * A WhatsApp sender: a business number on Meta (phone_number_id in a WABA) with the
 * credentials to act for it. Calling is on when a voice application is set.
 */
@Entity({ name: 'senders' })
@Check('senders_sid_check', sidCheck('sid', SID_PREFIXES.sender))
@Check('senders_active_calls_check', `"active_calls" >= 0`)
@Check('senders_calling_status_check', oneOfCheck('calling_status', CALLING_STATUSES))
@Check(
  'senders_callback_permission_status_check',
  oneOfCheck('callback_permission_status', CALLING_STATUSES),
)
@Index('senders_account_list_idx', ['accountSid', 'dateCreated', 'sid'])
@Index('senders_sender_id_key', ['senderId'], { unique: true })
@Index('senders_phone_number_id_key', ['phoneNumberId'], { unique: true })
@Index('senders_verify_token_idx', ['verifyTokenDigest'])
export class SenderEntity {
  @PrimaryColumn({ type: 'char', length: 34 })
  sid!: string;

  @Column({ name: 'account_sid', type: 'char', length: 34 })
  accountSid!: string;

  @ManyToOne(() => AccountEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'account_sid' })
  account?: AccountEntity;

  /** `whatsapp:+E.164`. */
  @Column({ name: 'sender_id', type: 'varchar', length: 32 })
  senderId!: string;

  @Column({ name: 'phone_number_id', type: 'varchar', length: 64 })
  phoneNumberId!: string;

  @Column({ name: 'waba_id', type: 'varchar', length: 64 })
  wabaId!: string;

  @Column({ name: 'access_token_sealed', type: 'text' })
  accessTokenSealed!: string;

  @Column({ name: 'app_secret_sealed', type: 'text' })
  appSecretSealed!: string;

  /** SHA-256 of this sender's `hub.verify_token`, if it has its own. */
  @Column({ name: 'verify_token_digest', type: 'char', length: 64, nullable: true })
  verifyTokenDigest!: string | null;

  @Column({ name: 'voice_application_sid', type: 'char', length: 34, nullable: true })
  voiceApplicationSid!: string | null;

  // Deleting an application leaves its senders without one: their inbound calls are then
  // rejected with 37009 until another is set.
  @ManyToOne(() => ApplicationEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'voice_application_sid' })
  voiceApplication?: ApplicationEntity | null;

  /** What was last set at Meta (`POST /settings` calling.status). */
  @Column({ name: 'calling_status', type: 'varchar', length: 16, default: 'DISABLED' })
  callingStatus!: CallingStatus;

  /**
   * Meta's `callback_permission_status` as last set through Parley: when ENABLED, a user who
   * calls the sender grants it permission to call back (consent records the grant).
   */
  @Column({
    name: 'callback_permission_status',
    type: 'varchar',
    length: 16,
    default: 'DISABLED',
  })
  callbackPermissionStatus!: CallingStatus;

  @Column({ type: 'varchar', length: 32, default: 'ONLINE' })
  status!: SenderStatus;

  /** Messaging webhook (incoming messages, permission replies), Twilio's `webhook.callback_url`. */
  @Column({ name: 'webhook_callback_url', type: 'text', nullable: true })
  webhookCallbackUrl!: string | null;

  @Column({ name: 'webhook_callback_method', type: 'varchar', length: 4, default: 'POST' })
  webhookCallbackMethod!: 'GET' | 'POST';

  /** Asked, with ErrorCode and ErrorUrl, when the messaging webhook fails. */
  @Column({ name: 'webhook_fallback_url', type: 'text', nullable: true })
  webhookFallbackUrl!: string | null;

  @Column({ name: 'webhook_fallback_method', type: 'varchar', length: 4, default: 'POST' })
  webhookFallbackMethod!: 'GET' | 'POST';

  /** Default StatusCallback of the messages this sender sends. */
  @Column({ name: 'webhook_status_callback_url', type: 'text', nullable: true })
  webhookStatusCallbackUrl!: string | null;

  @Column({ name: 'webhook_status_callback_method', type: 'varchar', length: 4, default: 'POST' })
  webhookStatusCallbackMethod!: 'GET' | 'POST';

  @Column({ name: 'profile_name', type: 'varchar', length: 139, nullable: true })
  profileName!: string | null;

  /**
   * Calls holding one of the sender's concurrent-call slots. Taken with a conditional
   * UPDATE (atomic across replicas), given back in the transaction that ends the call.
   */
  @Column({ name: 'active_calls', type: 'integer', default: 0 })
  activeCalls!: number;

  @CreateDateColumn({ name: 'date_created', type: 'timestamptz', precision: 3 })
  dateCreated!: Date;

  @UpdateDateColumn({ name: 'date_updated', type: 'timestamptz' })
  dateUpdated!: Date;
}

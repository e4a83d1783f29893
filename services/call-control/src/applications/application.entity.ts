import { HttpMethod, SID_PREFIXES } from '@parley/contracts';
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

/** A TwiML application: where a sender's inbound calls get their TwiML. */
@Entity({ name: 'applications' })
@Check('applications_sid_check', sidCheck('sid', SID_PREFIXES.application))
@Check(
  'applications_methods_check',
  ['voice_method', 'voice_fallback_method', 'status_callback_method']
    .map((column) => oneOfCheck(column, HttpMethod.options))
    .join(' AND '),
)
@Index('applications_account_list_idx', ['accountSid', 'dateCreated', 'sid'])
export class ApplicationEntity {
  @PrimaryColumn({ type: 'char', length: 34 })
  sid!: string;

  @Column({ name: 'account_sid', type: 'char', length: 34 })
  accountSid!: string;

  @ManyToOne(() => AccountEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'account_sid' })
  account?: AccountEntity;

  @Column({ name: 'friendly_name', type: 'varchar', length: 64, default: '' })
  friendlyName!: string;

  @Column({ name: 'voice_url', type: 'text', nullable: true })
  voiceUrl!: string | null;

  @Column({ name: 'voice_method', type: 'varchar', length: 4, default: 'POST' })
  voiceMethod!: 'GET' | 'POST';

  @Column({ name: 'voice_fallback_url', type: 'text', nullable: true })
  voiceFallbackUrl!: string | null;

  @Column({ name: 'voice_fallback_method', type: 'varchar', length: 4, default: 'POST' })
  voiceFallbackMethod!: 'GET' | 'POST';

  @Column({ name: 'status_callback', type: 'text', nullable: true })
  statusCallback!: string | null;

  @Column({ name: 'status_callback_method', type: 'varchar', length: 4, default: 'POST' })
  statusCallbackMethod!: 'GET' | 'POST';

  // Millisecond precision: list cursors carry this value through JavaScript dates.
  @CreateDateColumn({ name: 'date_created', type: 'timestamptz', precision: 3 })
  dateCreated!: Date;

  @UpdateDateColumn({ name: 'date_updated', type: 'timestamptz' })
  dateUpdated!: Date;
}

import {
  type RecordingSource,
  RecordingStatus,
  type RecordingStatusCallbackConfig,
  type RecordingTrack,
  SID_PREFIXES,
} from '@parley/contracts';
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
import { CallEntity } from '../calls/call.entity';

/**
 * A recording of a call (Twilio's Recording resource). The audio itself is in recording
 * storage under `AC.../RE....wav`, written by media; this row is its metadata, created
 * when call-control starts a recording or when media reports one the interpreter started.
 */
@Entity({ name: 'recordings' })
@Check('recordings_sid_check', sidCheck('sid', SID_PREFIXES.recording))
@Check('recordings_status_check', oneOfCheck('status', RecordingStatus.options))
@Check('recordings_channels_check', `"channels" IN (1, 2)`)
@Index('recordings_account_list_idx', ['accountSid', 'dateCreated', 'sid'])
@Index('recordings_call_idx', ['callSid'])
export class RecordingEntity {
  @PrimaryColumn({ type: 'char', length: 34 })
  sid!: string;

  @Column({ name: 'account_sid', type: 'char', length: 34 })
  accountSid!: string;

  @ManyToOne(() => AccountEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'account_sid' })
  account?: AccountEntity;

  @Column({ name: 'call_sid', type: 'char', length: 34 })
  callSid!: string;

  @ManyToOne(() => CallEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'call_sid' })
  call?: CallEntity;

  @Column({ type: 'varchar', length: 16 })
  status!: RecordingStatus;

  @Column({ type: 'varchar', length: 32 })
  source!: RecordingSource;

  @Column({ type: 'smallint' })
  channels!: 1 | 2;

  @Column({ type: 'varchar', length: 8 })
  track!: RecordingTrack;

  @Column({ name: 'start_time', type: 'timestamptz', precision: 3 })
  startTime!: Date;

  /** Whole seconds, once it ended. */
  @Column({ type: 'integer', nullable: true })
  duration!: number | null;

  @Column({ name: 'error_code', type: 'integer', nullable: true })
  errorCode!: number | null;

  /** Where media stored the WAV (`file:///...` or `s3://bucket/key`). */
  @Column({ name: 'storage_uri', type: 'text', nullable: true })
  storageUri!: string | null;

  @Column({ name: 'status_callback', type: 'jsonb', nullable: true })
  statusCallback!: RecordingStatusCallbackConfig | null;

  @CreateDateColumn({ name: 'date_created', type: 'timestamptz', precision: 3 })
  dateCreated!: Date;

  @UpdateDateColumn({ name: 'date_updated', type: 'timestamptz' })
  dateUpdated!: Date;
}

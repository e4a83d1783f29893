import { SID_PREFIXES, type StreamStatusCallbackConfig, type StreamTrack } from '@parley/contracts';
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
import { CallEntity } from '../calls/call.entity';
import { oneOfCheck, sidCheck } from '../database/sql-checks';

export const STREAM_STATUSES = ['in-progress', 'stopped'] as const;
export type StreamStatus = (typeof STREAM_STATUSES)[number];

/**
 * A Media Stream of a call (Twilio's Stream resource): created here by the REST API, or
 * when media reports one the interpreter opened (`<Start><Stream>`, `<Connect><Stream>`).
 * media holds the WebSocket; this row is what the REST API and the status callbacks read.
 */
@Entity({ name: 'streams' })
@Check('streams_sid_check', sidCheck('sid', SID_PREFIXES.stream))
@Check('streams_status_check', oneOfCheck('status', STREAM_STATUSES))
@Index('streams_call_idx', ['callSid'])
export class StreamEntity {
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

  @Column({ type: 'varchar', length: 256, nullable: true })
  name!: string | null;

  @Column({ type: 'varchar', length: 16 })
  status!: StreamStatus;

  @Column({ type: 'text' })
  url!: string;

  @Column({ type: 'varchar', length: 16 })
  track!: StreamTrack;

  @Column({ type: 'boolean' })
  bidirectional!: boolean;

  @Column({ name: 'status_callback', type: 'jsonb', nullable: true })
  statusCallback!: StreamStatusCallbackConfig | null;

  /** When media reported the socket open (`stream-started` was published then). */
  @Column({ name: 'started_at', type: 'timestamptz', precision: 3, nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'ended_at', type: 'timestamptz', precision: 3, nullable: true })
  endedAt!: Date | null;

  @Column({ name: 'error_code', type: 'integer', nullable: true })
  errorCode!: number | null;

  @Column({ name: 'error_message', type: 'text', nullable: true })
  errorMessage!: string | null;

  @CreateDateColumn({ name: 'date_created', type: 'timestamptz', precision: 3 })
  dateCreated!: Date;

  @UpdateDateColumn({ name: 'date_updated', type: 'timestamptz' })
  dateUpdated!: Date;
}

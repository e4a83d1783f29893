import {
  CALL_STATUSES,
  CallDirection,
  type CallStatus,
  SID_PREFIXES,
  type HttpMethod,
  type RecordingStatus,
  type StatusCallbackEvent,
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

/** Recording options given at creation (`Record`, `RecordingChannels`, ...). */
export interface CallRecordingOptions {
  record: boolean;
  channels: 'mono' | 'dual';
  statusCallback: string | null;
  statusCallbackMethod: HttpMethod;
  /** Validated at creation (`recordingCallbackEvents`); never empty. */
  statusCallbackEvents: RecordingStatus[];
}

/** One call leg (Twilio's Call resource), in one direction, through one WhatsApp sender. */
@Entity({ name: 'calls' })
@Check('calls_sid_check', sidCheck('sid', SID_PREFIXES.call))
@Check('calls_status_check', oneOfCheck('status', CALL_STATUSES))
@Check('calls_direction_check', oneOfCheck('direction', CallDirection.options))
@Index('calls_account_list_idx', ['accountSid', 'dateCreated', 'sid'])
@Index('calls_meta_call_id_key', ['metaCallId'], { unique: true })
@Index('calls_parent_idx', ['parentCallSid'])
@Index('calls_ring_deadline_idx', ['ringDeadline'])
@Index('calls_time_limit_deadline_idx', ['timeLimitDeadline'])
export class CallEntity {
  @PrimaryColumn({ type: 'char', length: 34 })
  sid!: string;

  @Column({ name: 'account_sid', type: 'char', length: 34 })
  accountSid!: string;

  @ManyToOne(() => AccountEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'account_sid' })
  account?: AccountEntity;

  /** The WhatsApp sender the call goes through (null once the sender was deleted). */
  @Column({ name: 'sender_sid', type: 'char', length: 34, nullable: true })
  senderSid!: string | null;

  @Column({ name: 'parent_call_sid', type: 'char', length: 34, nullable: true })
  parentCallSid!: string | null;

  @Column({ name: 'application_sid', type: 'char', length: 34, nullable: true })
  applicationSid!: string | null;

  @Column({ type: 'varchar', length: 16 })
  direction!: CallDirection;

  @Column({ name: 'from', type: 'varchar', length: 40 })
  from!: string;

  @Column({ name: 'to', type: 'varchar', length: 40 })
  to!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: CallStatus;

  @Column({ name: 'caller_name', type: 'varchar', length: 139, nullable: true })
  callerName!: string | null;

  /** Meta's WhatsApp call id (`wacid....`), once known. */
  @Column({ name: 'meta_call_id', type: 'varchar', length: 255, nullable: true })
  metaCallId!: string | null;

  // ---- what runs on the call ------------------------------------------------------------
  @Column({ type: 'text', nullable: true })
  url!: string | null;

  @Column({ type: 'varchar', length: 4, default: 'POST' })
  method!: HttpMethod;

  @Column({ name: 'fallback_url', type: 'text', nullable: true })
  fallbackUrl!: string | null;

  @Column({ name: 'fallback_method', type: 'varchar', length: 4, default: 'POST' })
  fallbackMethod!: HttpMethod;

  @Column({ type: 'text', nullable: true })
  twiml!: string | null;

  @Column({ name: 'status_callback', type: 'text', nullable: true })
  statusCallback!: string | null;

  @Column({ name: 'status_callback_method', type: 'varchar', length: 4, default: 'POST' })
  statusCallbackMethod!: HttpMethod;

  @Column({ name: 'status_callback_events', type: 'text', array: true, default: () => "'{}'" })
  statusCallbackEvents!: StatusCallbackEvent[];

  @Column({ type: 'jsonb', nullable: true })
  recording!: CallRecordingOptions | null;

  /** Ring timeout (REST `Timeout`) and maximum duration (`TimeLimit`), in seconds. */
  @Column({ name: 'timeout_sec', type: 'integer' })
  timeoutSec!: number;

  @Column({ name: 'time_limit_sec', type: 'integer' })
  timeLimitSec!: number;

  /** Inbound: the answer SDP given to `pre_accept`, sent again with `accept`. */
  @Column({ name: 'answer_sdp', type: 'text', nullable: true })
  answerSdp!: string | null;

  // ---- outcome --------------------------------------------------------------------------
  @Column({ name: 'start_time', type: 'timestamptz', nullable: true })
  startTime!: Date | null;

  @Column({ name: 'end_time', type: 'timestamptz', nullable: true })
  endTime!: Date | null;

  /** Whole seconds from answer to end; 0 when never answered. */
  @Column({ type: 'integer', nullable: true })
  duration!: number | null;

  @Column({ name: 'error_code', type: 'integer', nullable: true })
  errorCode!: number | null;

  @Column({ name: 'error_message', type: 'text', nullable: true })
  errorMessage!: string | null;

  // ---- bookkeeping ----------------------------------------------------------------------
  /** Sequence number of the last status transition (0 is the first status). */
  @Column({ type: 'integer', default: 0 })
  sequence!: number;

  /** When an unanswered call gives up (durable timer, polled). */
  @Column({ name: 'ring_deadline', type: 'timestamptz', nullable: true })
  ringDeadline!: Date | null;

  /** When an answered call is ended by its TimeLimit (durable timer, polled). */
  @Column({ name: 'time_limit_deadline', type: 'timestamptz', nullable: true })
  timeLimitDeadline!: Date | null;

  /** Whether the call holds one of its sender's concurrent-call slots. */
  @Column({ name: 'holds_slot', type: 'boolean', default: false })
  holdsSlot!: boolean;

  @CreateDateColumn({ name: 'date_created', type: 'timestamptz', precision: 3 })
  dateCreated!: Date;

  @UpdateDateColumn({ name: 'date_updated', type: 'timestamptz' })
  dateUpdated!: Date;
}

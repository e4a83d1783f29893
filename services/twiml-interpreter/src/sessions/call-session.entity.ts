import { type AccountSid, type CallSid } from '@parley/contracts';
import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryColumn,
  UpdateDateColumn,
} from 'typeorm';

export const SESSION_STATES = ['fetching', 'running', 'waiting', 'ended'] as const;
export type SessionState = (typeof SESSION_STATES)[number];

/**
 * Where a call is in its TwiML, saved at every verb boundary: the document being run
 * (its URL and method, or the inline TwiML), the verb reached, the redirects followed and
 * the digits a Gather holds, so that a replica can tell a call it owns from one it does
 * not, and report where and why a call stopped.
 */
@Entity({ name: 'call_sessions' })
@Check('call_sessions_state_check', `"state" IN ('fetching', 'running', 'waiting', 'ended')`)
export class CallSessionEntity {
  @PrimaryColumn({ name: 'call_sid', type: 'char', length: 34 })
  callSid!: CallSid;

  @Index('call_sessions_account_sid_idx')
  @Column({ name: 'account_sid', type: 'char', length: 34 })
  accountSid!: AccountSid;

  @Column({ type: 'varchar', length: 16, default: 'fetching' })
  state!: SessionState;

  /** The replica running the session (`INSTANCE_ID`). */
  @Column({ name: 'owner_instance', type: 'varchar', length: 128, nullable: true })
  ownerInstance!: string | null;

  @Column({ name: 'document_url', type: 'text', nullable: true })
  documentUrl!: string | null;

  @Column({ name: 'document_method', type: 'varchar', length: 4, nullable: true })
  documentMethod!: 'GET' | 'POST' | null;

  /** Inline TwiML (REST `Twiml`), when the document has no URL. */
  @Column({ name: 'document_twiml', type: 'text', nullable: true })
  documentTwiml!: string | null;

  @Column({ name: 'verb_index', type: 'integer', default: 0 })
  verbIndex!: number;

  @Column({ name: 'redirect_count', type: 'integer', default: 0 })
  redirectCount!: number;

  /** Digits a running `<Gather>` has collected so far. */
  @Column({ name: 'gather_digits', type: 'varchar', length: 64, default: '' })
  gatherDigits!: string;

  @Column({ type: 'boolean', default: false })
  answered!: boolean;

  /** Twilio-style code the session ended with (fetch or document failure). */
  @Column({ name: 'error_code', type: 'integer', nullable: true })
  errorCode!: number | null;

  /** Why the session ended: `hangup`, `rejected`, `caller-hangup`, `end-of-document`, `error`... */
  @Column({ name: 'ended_reason', type: 'varchar', length: 32, nullable: true })
  endedReason!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

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
 * Where a call is in its TwiML: the document being run and the verb reached, so that an
 * interpreter replica can tell a call it owns from one it does not, and report where a
 * call stopped.
 */
@Entity({ name: 'call_sessions' })
@Check('call_sessions_state_check', `"state" IN ('fetching', 'running', 'waiting', 'ended')`)
export class CallSessionEntity {
  @PrimaryColumn({ name: 'call_sid', type: 'char', length: 34 })
  callSid!: string;

  @Index('call_sessions_account_sid_idx')
  @Column({ name: 'account_sid', type: 'char', length: 34 })
  accountSid!: string;

  @Column({ type: 'varchar', length: 16, default: 'fetching' })
  state!: SessionState;

  @Column({ name: 'document_url', type: 'text', nullable: true })
  documentUrl!: string | null;

  @Column({ name: 'verb_index', type: 'integer', default: 0 })
  verbIndex!: number;

  @Column({ name: 'redirect_count', type: 'integer', default: 0 })
  redirectCount!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

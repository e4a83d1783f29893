import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { oneOfCheck } from '../database/sql-checks';
import { CALL_EFFECT_KINDS, CALL_EFFECT_STATUSES, type CallEffectKind } from './call-effect-policy';

export type CallEffectStatus = (typeof CALL_EFFECT_STATUSES)[number];

/**
 * A side effect a call's state change owes the outside world (tell Meta, free the media
 * leg, set up an inbound call, hand the call to the interpreter), written in the same
 * transaction as the change and worked off by CallEffects until done, refused by the
 * other side, or dead-lettered after too many failures. One row per call and kind: asking
 * again for an effect already done re-arms the same row.
 */
@Entity({ name: 'call_effects' })
@Check('call_effects_kind_check', oneOfCheck('kind', CALL_EFFECT_KINDS))
@Check('call_effects_status_check', oneOfCheck('status', CALL_EFFECT_STATUSES))
@Index('call_effects_call_kind_key', ['callSid', 'kind'], { unique: true })
// The work queue: pending effects by when they are due.
@Index('call_effects_due_idx', ['nextAttemptAt'], { where: `"status" = 'pending'` })
export class CallEffectEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: string;

  @Column({ name: 'call_sid', type: 'char', length: 34 })
  callSid!: string;

  @ManyToOne('CallEntity', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'call_sid' })
  call?: object;

  @Column({ type: 'varchar', length: 32 })
  kind!: CallEffectKind;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status!: CallEffectStatus;

  /** What the effect needs beyond the call row (Meta's call id, the SDP offer, progress). */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  detail!: Record<string, unknown>;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  /** When a pending effect is due; while one is being worked on, its lease expiry. */
  @Column({ name: 'next_attempt_at', type: 'timestamptz', precision: 3, default: () => 'now()' })
  nextAttemptAt!: Date;

  /** The instance that last claimed it (a restarted instance frees its own leases). */
  @Column({ name: 'claimed_by', type: 'varchar', length: 128, nullable: true })
  claimedBy!: string | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @CreateDateColumn({ name: 'date_created', type: 'timestamptz', precision: 3 })
  dateCreated!: Date;

  @UpdateDateColumn({ name: 'date_updated', type: 'timestamptz', precision: 3 })
  dateUpdated!: Date;
}

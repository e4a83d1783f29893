import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { oneOfCheck } from '../database/sql-checks';

/**
 * `dead`: every delivery failed (or the event can never be processed); `redrive`: an
 * operator asked to run it again (`./dev admin dead-letters:redrive`); `redriven`: it ran
 * again and succeeded. A re-drive that fails leaves it `dead`, with its new error.
 */
export const DEAD_LETTER_STATUSES = ['dead', 'redrive', 'redriven'] as const;
export type DeadLetterStatus = (typeof DEAD_LETTER_STATUSES)[number];

/** A durable event a consumer of this service gave up on, kept to be re-driven. */
@Entity({ name: 'dead_letters' })
@Index('dead_letters_status_idx', ['status', 'id'])
@Check('dead_letters_status_check', oneOfCheck('status', DEAD_LETTER_STATUSES))
export class DeadLetterEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: string;

  /** The durable consumer (`call-control.recording-completions`). */
  @Column({ type: 'varchar', length: 128 })
  consumer!: string;

  @Column({ type: 'varchar', length: 256 })
  subject!: string;

  /** The event as validated against its contract. */
  @Column({ type: 'jsonb' })
  payload!: Record<string, unknown>;

  @Column({ name: 'correlation_id', type: 'varchar', length: 128, nullable: true })
  correlationId!: string | null;

  /** Deliveries that failed before it was given up on. */
  @Column({ type: 'integer' })
  deliveries!: number;

  @Column({ name: 'last_error', type: 'text' })
  lastError!: string;

  @Column({ type: 'varchar', length: 16, default: 'dead' })
  status!: DeadLetterStatus;

  @Column({ name: 'redrive_attempts', type: 'integer', default: 0 })
  redriveAttempts!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

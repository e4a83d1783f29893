import { type CallStatusChangedV1 } from '@parley/contracts';
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';

export const CALL_EVENT_TYPES = [
  'status',
  'graph',
  'webhook',
  'media',
  'interpreter',
  'consent',
  'api',
  'error',
  'setup',
] as const;
export type CallEventType = (typeof CALL_EVENT_TYPES)[number];

/**
 * A call's timeline: every status transition and every interaction with Meta and the
 * other services. Status rows (`sequence` set) are also the outbox of
 * `calls.v1.call.status-changed`: `payload` is the event, `published_at` is set once
 * JetStream acknowledged it.
 */
@Entity({ name: 'call_events' })
@Index('call_events_call_idx', ['callSid', 'id'])
@Index('call_events_call_sequence_key', ['callSid', 'sequence'], { unique: true })
// The outbox: status rows not yet acknowledged by JetStream.
@Index('call_events_unpublished_idx', ['id'], {
  where: '"sequence" IS NOT NULL AND "published_at" IS NULL',
})
export class CallEventEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: string;

  @Column({ name: 'call_sid', type: 'char', length: 34 })
  callSid!: string;

  // The foreign key to calls(sid), by entity name: the timeline sits below calls/ (which
  // writes it in the same transaction as each status) and does not import the Call entity.
  @ManyToOne('CallEntity', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'call_sid' })
  call?: object;

  @Column({ name: 'account_sid', type: 'char', length: 34 })
  accountSid!: string;

  /** Status transitions only: 0 for the first status, then one more per transition. */
  @Column({ type: 'integer', nullable: true })
  sequence!: number | null;

  @Column({ type: 'varchar', length: 16 })
  type!: CallEventType;

  /** What happened, e.g. `ringing`, `connect`, `leg.answer`, `session.start`. */
  @Column({ type: 'varchar', length: 64 })
  name!: string;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  detail!: Record<string, unknown>;

  /** The `calls.v1.call.status-changed` event of a status row. */
  @Column({ type: 'jsonb', nullable: true })
  payload!: CallStatusChangedV1 | null;

  @Column({ name: 'published_at', type: 'timestamptz', nullable: true })
  publishedAt!: Date | null;

  @Column({ name: 'occurred_at', type: 'timestamptz', precision: 3, default: () => 'now()' })
  occurredAt!: Date;
}

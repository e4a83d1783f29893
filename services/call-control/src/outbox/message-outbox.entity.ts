import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const MESSAGE_OUTBOX_SUBJECTS = [
  'calls.v1.message.status-changed',
  'calls.v1.message.received',
  'calls.v1.content.approval-changed',
] as const;
export type MessageOutboxSubject = (typeof MESSAGE_OUTBOX_SUBJECTS)[number];

/**
 * Durable events of messages (and of Content approvals), committed with the change they announce and published to
 * JetStream afterwards (right away, and by a sweeper after a crash or a NATS outage).
 */
@Entity({ name: 'message_outbox' })
@Index('message_outbox_pending_idx', ['publishedAt', 'id'])
export class MessageOutboxEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ type: 'varchar', length: 64 })
  subject!: MessageOutboxSubject;

  /**
   * JetStream de-duplication id: `${messageSid}:${sequence}`, the inbound message sid, or
   * `approval:${contentSid}:${sequence}`.
   */
  @Index('message_outbox_msg_id_key', { unique: true })
  @Column({ name: 'msg_id', type: 'varchar', length: 128 })
  msgId!: string;

  @Column({ type: 'jsonb' })
  payload!: Record<string, unknown>;

  @Column({ name: 'published_at', type: 'timestamptz', nullable: true })
  publishedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

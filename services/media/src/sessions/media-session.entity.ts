import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const MEDIA_SESSION_STATES = ['open', 'closed'] as const;
export type MediaSessionState = (typeof MEDIA_SESSION_STATES)[number];

/**
 * A call's media on one media instance: which instance holds its router, so commands for
 * the call reach the right replica and a crashed instance's calls can be found.
 */
@Entity({ name: 'media_sessions' })
@Check('media_sessions_state_check', `"state" IN ('open', 'closed')`)
export class MediaSessionEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index('media_sessions_call_sid_idx')
  @Column({ name: 'call_sid', type: 'char', length: 34 })
  callSid!: string;

  @Index('media_sessions_instance_id_idx')
  @Column({ name: 'instance_id', type: 'varchar', length: 128 })
  instanceId!: string;

  @Column({ name: 'router_id', type: 'uuid', nullable: true })
  routerId!: string | null;

  @Column({ type: 'varchar', length: 16, default: 'open' })
  state!: MediaSessionState;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt!: Date | null;
}

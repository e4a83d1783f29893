import { type CallSid } from '@parley/contracts';
import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const WHATSAPP_LEG_STATES = [
  'offered',
  'answered',
  'connected',
  'closed',
  'failed',
] as const;
export type WhatsAppLegState = (typeof WHATSAPP_LEG_STATES)[number];
/** States of a leg that still holds ports and a router. */
export const OPEN_WHATSAPP_LEG_STATES = ['offered', 'answered', 'connected'] as const;

/**
 * A call's WhatsApp leg on one media instance: which instance and mediasoup worker hold its
 * router, its state and when it changed, so commands for the call reach the right
 * replica and a crashed instance's calls can be found. At most one open leg per call.
 */
@Entity({ name: 'whatsapp_legs' })
@Check(
  'whatsapp_legs_state_check',
  `"state" IN ('offered', 'answered', 'connected', 'closed', 'failed')`,
)
@Check('whatsapp_legs_direction_check', `"direction" IN ('inbound', 'outbound')`)
@Index('whatsapp_legs_open_call_sid_uq', ['callSid'], {
  unique: true,
  where: `"state" IN ('offered', 'answered', 'connected')`,
})
// The outbox of `media.v1.leg.failed`: lost legs whose failure is not published yet.
@Index('whatsapp_legs_failure_pending_idx', ['closedAt'], { where: `"failure_pending"` })
export class WhatsAppLegEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index('whatsapp_legs_call_sid_idx')
  @Column({ name: 'call_sid', type: 'char', length: 34 })
  callSid!: CallSid;

  @Index('whatsapp_legs_instance_id_idx')
  @Column({ name: 'instance_id', type: 'varchar', length: 128 })
  instanceId!: string;

  /** inbound: WhatsApp user called (Parley answered); outbound: Parley offered. */
  @Column({ type: 'varchar', length: 8 })
  direction!: 'inbound' | 'outbound';

  /** Process id of the mediasoup worker the leg's router runs on. */
  @Column({ name: 'worker_pid', type: 'integer', nullable: true })
  workerPid!: number | null;

  @Column({ name: 'router_id', type: 'uuid', nullable: true })
  routerId!: string | null;

  @Column({ type: 'varchar', length: 16 })
  state!: WhatsAppLegState;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'connected_at', type: 'timestamptz', nullable: true })
  connectedAt!: Date | null;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt!: Date | null;

  /** Why the leg ended: `closed` (asked to), `failed: <reason>`, `shutdown`... */
  @Column({ name: 'end_reason', type: 'varchar', length: 200, nullable: true })
  endReason!: string | null;

  /**
   * The leg ended without being asked to (failed, lost with its instance, cut by a
   * shutdown) and `media.v1.leg.failed` is not published yet: LegFailureReporter does it.
   */
  @Column({ name: 'failure_pending', type: 'boolean', default: false })
  failurePending!: boolean;
}

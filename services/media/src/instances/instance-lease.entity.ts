import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A media instance's lease on life: renewed while the instance runs. A lease that lapsed
 * means the instance died (or stopped without closing everything), so its open legs are
 * dead and a peer fails them.
 */
@Entity({ name: 'instance_leases' })
export class InstanceLeaseEntity {
  @PrimaryColumn({ name: 'instance_id', type: 'varchar', length: 128 })
  instanceId!: string;

  @Column({ name: 'renewed_at', type: 'timestamptz', default: () => 'now()' })
  renewedAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;
}

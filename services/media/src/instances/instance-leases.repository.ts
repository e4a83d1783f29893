import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { SERVICE_INFO, type ServiceInfo } from '@parley/nest-kit';
import { type Repository } from 'typeorm';
import { InstanceLeaseEntity } from './instance-lease.entity';

/**
 * This instance's lease row. Every time comparison uses the database's clock, so replicas
 * with skewed clocks agree on whose lease lapsed.
 */
@Injectable()
export class InstanceLeasesRepository {
  constructor(
    @InjectRepository(InstanceLeaseEntity)
    private readonly rows: Repository<InstanceLeaseEntity>,
    @Inject(SERVICE_INFO) private readonly info: ServiceInfo,
  ) {}

  /** Takes or extends this instance's lease for `leaseMs` from now. */
  async renew(leaseMs: number): Promise<void> {
    await this.rows.query(
      `INSERT INTO media.instance_leases (instance_id, renewed_at, expires_at)
       VALUES ($1, now(), now() + make_interval(secs => $2::double precision / 1000))
       ON CONFLICT (instance_id) DO UPDATE
         SET renewed_at = excluded.renewed_at, expires_at = excluded.expires_at`,
      [this.info.instanceId, leaseMs],
    );
  }

  /** Ends this instance's lease now: whatever it leaves open is a peer's to fail. */
  async lapse(): Promise<void> {
    await this.rows.query(
      `UPDATE media.instance_leases SET expires_at = now() WHERE instance_id = $1`,
      [this.info.instanceId],
    );
  }

  /** Forgets lapsed leases of instances that hold no open leg any more. */
  async pruneLapsed(openStates: readonly string[]): Promise<number> {
    const result: [unknown, number] = await this.rows.query(
      `DELETE FROM media.instance_leases x
        WHERE x.expires_at < now()
          AND NOT EXISTS (SELECT 1 FROM media.whatsapp_legs l
                           WHERE l.instance_id = x.instance_id AND l.state = ANY($1))`,
      [openStates],
    );
    return result[1];
  }
}

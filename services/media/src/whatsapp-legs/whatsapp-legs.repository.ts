import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { SERVICE_INFO, type ServiceInfo } from '@parley/nest-kit';
import { In, type Repository } from 'typeorm';
import {
  OPEN_WHATSAPP_LEG_STATES,
  WhatsAppLegEntity,
  type WhatsAppLegState,
} from './whatsapp-leg.entity';

const UNIQUE_VIOLATION = '23505';

/** The call already has an open leg (on this or another instance). */
export class LegAlreadyOpenError extends Error {
  constructor(readonly callSid: string) {
    super(`call ${callSid} already has an open media leg`);
    this.name = 'LegAlreadyOpenError';
  }
}

/** The rows of this instance's WhatsApp legs. */
@Injectable()
export class WhatsAppLegsRepository {
  constructor(
    @InjectRepository(WhatsAppLegEntity)
    private readonly rows: Repository<WhatsAppLegEntity>,
    @Inject(SERVICE_INFO) private readonly info: ServiceInfo,
  ) {}

  async open(leg: {
    callSid: string;
    direction: 'inbound' | 'outbound';
    state: WhatsAppLegState;
    workerPid: number | null;
    routerId: string;
  }): Promise<string> {
    try {
      // One INSERT ... RETURNING (save() would wrap it in a transaction: three round trips
      // on the set-up path instead of one).
      const result = await this.rows.insert(
        this.rows.create({ ...leg, instanceId: this.info.instanceId, endReason: null }),
      );
      const id = (result.identifiers[0] as { id?: unknown } | undefined)?.id;
      if (typeof id !== 'string') throw new Error('the leg row was not inserted');
      return id;
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) {
        throw new LegAlreadyOpenError(leg.callSid);
      }
      throw error;
    }
  }

  async update(
    id: string,
    changes: Partial<
      Pick<WhatsAppLegEntity, 'state' | 'connectedAt' | 'closedAt' | 'endReason' | 'failurePending'>
    >,
  ): Promise<void> {
    await this.rows.update({ id }, changes);
  }

  /**
   * Marks open legs this instance id left behind (a crash, or a restart with the same
   * INSTANCE_ID) as failed: their routers and ports died with the previous process.
   */
  async failOrphans(): Promise<number> {
    const result = await this.rows.update(
      { instanceId: this.info.instanceId, state: In([...OPEN_WHATSAPP_LEG_STATES]) },
      {
        state: 'failed',
        closedAt: new Date(),
        endReason: 'media instance restarted',
        failurePending: true,
      },
    );
    return result.affected ?? 0;
  }

  /**
   * Marks open legs of other instances whose lease lapsed (they died without a restart
   * under the same id) as failed, for the failure outbox. The database's clock decides.
   */
  async failLegsOfLapsedInstances(): Promise<number> {
    const result: [unknown, number] = await this.rows.query(
      `UPDATE media.whatsapp_legs l
          SET state = 'failed', closed_at = now(), end_reason = 'media instance lost',
              failure_pending = true
        WHERE l.state = ANY($1) AND l.instance_id <> $2
          AND EXISTS (SELECT 1 FROM media.instance_leases x
                       WHERE x.instance_id = l.instance_id AND x.expires_at < now())`,
      [[...OPEN_WHATSAPP_LEG_STATES], this.info.instanceId],
    );
    return result[1];
  }

  /** Lost legs whose `media.v1.leg.failed` is not published yet (any instance's), oldest first. */
  unreportedFailures(limit: number): Promise<WhatsAppLegEntity[]> {
    return this.rows.find({
      where: { failurePending: true },
      order: { closedAt: 'ASC' },
      take: limit,
    });
  }

  async failureReported(id: string): Promise<void> {
    await this.rows.update({ id }, { failurePending: false });
  }
}

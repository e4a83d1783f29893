import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { SERVICE_INFO, type ServiceInfo } from '@parley/nest-kit';
import { In, type Repository } from 'typeorm';
import {
  MediaSessionEntity,
  OPEN_MEDIA_SESSION_STATES,
  type MediaSessionState,
} from './media-session.entity';

const UNIQUE_VIOLATION = '23505';

/** The call already has an open leg (on this or another instance). */
export class LegAlreadyOpenError extends Error {
  constructor(readonly callSid: string) {
    super(`call ${callSid} already has an open media leg`);
    this.name = 'LegAlreadyOpenError';
  }
}

/** media_sessions rows of this instance. */
@Injectable()
export class MediaSessionsRepository {
  constructor(
    @InjectRepository(MediaSessionEntity)
    private readonly rows: Repository<MediaSessionEntity>,
    @Inject(SERVICE_INFO) private readonly info: ServiceInfo,
  ) {}

  async open(leg: {
    callSid: string;
    direction: 'inbound' | 'outbound';
    state: MediaSessionState;
    workerPid: number | null;
    routerId: string;
  }): Promise<string> {
    try {
      const row = await this.rows.save(
        this.rows.create({ ...leg, instanceId: this.info.instanceId, endReason: null }),
      );
      return row.id;
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) {
        throw new LegAlreadyOpenError(leg.callSid);
      }
      throw error;
    }
  }

  async update(
    id: string,
    changes: Partial<Pick<MediaSessionEntity, 'state' | 'connectedAt' | 'closedAt' | 'endReason'>>,
  ): Promise<void> {
    await this.rows.update({ id }, changes);
  }

  /**
   * Marks open legs this instance id left behind (a crash, or a restart with the same
   * INSTANCE_ID) as failed: their routers and ports died with the previous process.
   */
  async failOrphans(): Promise<number> {
    const result = await this.rows.update(
      { instanceId: this.info.instanceId, state: In([...OPEN_MEDIA_SESSION_STATES]) },
      { state: 'failed', closedAt: new Date(), endReason: 'media instance restarted' },
    );
    return result.affected ?? 0;
  }
}

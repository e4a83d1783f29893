import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { PARLEY_ENV, PARLEY_LOGGER, type ParleyLogger, PeriodicTasks } from '@parley/nest-kit';
import {
  recordingKey,
  type RecordingStorage,
  StorageNotFoundError,
} from '@parley/recording-storage';
import { type Repository } from 'typeorm';
import { type CallControlEnv } from '../config/env.schema';
import { RecordingEntity } from './recording.entity';
import { RECORDING_STORAGE, RecordingsService } from './recordings.service';
import { measureStoredWav } from './stored-wav';

/**
 * Closes recordings left `in-progress` after their call ended plus a grace period (media
 * crashed, or its `recording.completed` never arrived): `completed` with the duration of
 * the WAV when media stored one, `failed` (20500) when there is no file. Media writes the
 * file before it reports, so a file means the audio is whole.
 */
@Injectable()
export class RecordingReconciler {
  constructor(
    @InjectRepository(RecordingEntity) private readonly recordings: Repository<RecordingEntity>,
    private readonly service: RecordingsService,
    @Inject(RECORDING_STORAGE) private readonly storage: RecordingStorage,
    @Inject(PARLEY_ENV) private readonly env: CallControlEnv,
    @Inject(PARLEY_LOGGER) private readonly logger: ParleyLogger,
    tasks: PeriodicTasks,
  ) {
    tasks.every('recordings.reconcile', env.RECORDING_RECONCILE_MS, (signal) =>
      this.reconcile(signal),
    );
  }

  /** Closes every overdue recording once (until `signal` aborts); returns how many closed. */
  async reconcile(signal?: AbortSignal): Promise<number> {
    const overdue = await this.recordings
      .createQueryBuilder('r')
      .innerJoin('calls', 'c', 'c.sid = r.call_sid')
      .where("r.status = 'in-progress'")
      .andWhere('c.end_time IS NOT NULL')
      .andWhere('c.end_time < now() - make_interval(secs => :grace)', {
        grace: this.env.RECORDING_RECONCILE_GRACE_SEC,
      })
      .orderBy('c.end_time', 'ASC')
      .limit(50)
      .getMany();
    let closed = 0;
    for (const row of overdue) {
      if (signal?.aborted) break;
      if (await this.closeOne(row)) closed++;
    }
    return closed;
  }

  private async closeOne(row: RecordingEntity): Promise<boolean> {
    let stored: Awaited<ReturnType<typeof measureStoredWav>> | 'missing';
    try {
      stored = await measureStoredWav(
        await this.storage.get(recordingKey(row.accountSid, row.sid)),
      );
    } catch (error) {
      if (!(error instanceof StorageNotFoundError)) throw error;
      stored = 'missing';
    }
    const done =
      stored === 'missing' || stored === null
        ? await this.service.closeUnreported(row, { status: 'failed' })
        : await this.service.closeUnreported(row, {
            status: 'completed',
            durationSec: stored.durationSec,
            channels: stored.channels === 2 ? 2 : 1,
          });
    if (done) {
      this.logger.warn(
        {
          recordingSid: row.sid,
          callSid: row.callSid,
          outcome: stored === 'missing' ? 'no file' : stored === null ? 'not a WAV' : 'from file',
        },
        'recording media never reported was closed by the reconciler',
      );
    }
    return done;
  }
}

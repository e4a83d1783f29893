import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { PARLEY_LOGGER, type ParleyLogger } from '@parley/nest-kit';
import { type EntityManager, type Repository } from 'typeorm';
import { type QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { CallEventEntity, type CallEventType } from './call-event.entity';

/** A call_events row for insert (TypeORM's insert type cannot express jsonb records). */
export function eventRow(
  row: Omit<CallEventEntity, 'id' | 'call' | 'occurredAt' | 'publishedAt'> & {
    publishedAt?: Date | null;
  },
): QueryDeepPartialEntity<CallEventEntity> {
  return row as QueryDeepPartialEntity<CallEventEntity>;
}

export interface TimelineEntry {
  callSid: string;
  accountSid: string;
  type: CallEventType;
  name: string;
  detail?: Record<string, unknown>;
}

/**
 * Writes the call timeline (`Calls/{Sid}/Timeline.json`): what happened to a call besides
 * its status transitions, which the transition itself records. A timeline row that
 * cannot be written is logged, never allowed to break the call.
 */
@Injectable()
export class CallTimeline {
  constructor(
    @InjectRepository(CallEventEntity) private readonly events: Repository<CallEventEntity>,
    @Inject(PARLEY_LOGGER) private readonly logger: ParleyLogger,
  ) {}

  async record(entry: TimelineEntry, manager?: EntityManager): Promise<void> {
    const repo = manager ? manager.getRepository(CallEventEntity) : this.events;
    try {
      await repo.insert(
        eventRow({
          callSid: entry.callSid,
          accountSid: entry.accountSid,
          type: entry.type,
          name: entry.name.slice(0, 64),
          detail: entry.detail ?? {},
          sequence: null,
          payload: null,
        }),
      );
    } catch (error) {
      if (manager) throw error;
      this.logger.warn(
        { err: error, callSid: entry.callSid, event: entry.name },
        'could not record a call event',
      );
    }
  }
}

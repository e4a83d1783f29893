import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { ParleyError } from '@parley/contracts';
import { type Repository } from 'typeorm';
import { applyKeyset, buildPage, type PageRequest, type TwilioPage } from '../common/paging';
import { accountPath } from '../common/twilio-format';
import { CallEventEntity } from './call-event.entity';
import { serializeCallEvent } from './call-event.resource';

/** Reads a call's timeline (`Calls/{Sid}/Timeline.json`), oldest first, for its account only. */
@Injectable()
export class CallEventsService {
  constructor(
    @InjectRepository(CallEventEntity) private readonly events: Repository<CallEventEntity>,
  ) {}

  /** Whether the call is the account's (every call has its first status row). */
  callExists(accountSid: string, callSid: string): Promise<boolean> {
    return this.events.existsBy({ callSid, accountSid });
  }

  async page(accountSid: string, callSid: string, request: PageRequest): Promise<TwilioPage> {
    const path = `${accountPath(accountSid)}/Calls/${callSid}/Timeline.json`;
    // Every call is created with its first status row in the same transaction, so the
    // call exists for this account exactly when its timeline does.
    if (!(await this.callExists(accountSid, callSid))) {
      throw new ParleyError(20404, `The requested resource ${path} was not found`);
    }
    const qb = this.events.createQueryBuilder('e').where('e.call_sid = :callSid', { callSid });
    const rows = await applyKeyset(
      qb,
      [{ expr: 'e.id', cast: 'bigint' }],
      'ASC',
      request,
    ).getMany();
    return buildPage({
      path,
      resourceKey: 'events',
      filters: {},
      request,
      rows,
      keyOf: (e) => [e.id],
      serialize: serializeCallEvent,
    });
  }
}

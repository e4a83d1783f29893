import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type Repository } from 'typeorm';
import { CallSessionEntity } from './call-session.entity';

export type SessionProgress = Partial<
  Pick<
    CallSessionEntity,
    | 'state'
    | 'documentUrl'
    | 'documentMethod'
    | 'documentTwiml'
    | 'verbIndex'
    | 'redirectCount'
    | 'gatherDigits'
    | 'answered'
    | 'errorCode'
    | 'endedReason'
  >
>;

/** The `call_sessions` rows: one per call the interpreter ran. */
@Injectable()
export class CallSessionsRepository {
  constructor(
    @InjectRepository(CallSessionEntity) private readonly rows: Repository<CallSessionEntity>,
  ) {}

  /** Claims the call for this replica; a repeated start (retried request) takes it over. */
  async claim(callSid: string, accountSid: string, ownerInstance: string): Promise<void> {
    await this.rows.upsert(
      {
        callSid,
        accountSid,
        ownerInstance,
        state: 'fetching',
        verbIndex: 0,
        gatherDigits: '',
        errorCode: null,
        endedReason: null,
      },
      ['callSid'],
    );
  }

  /**
   * Saves a session's progress while `ownerInstance` still owns the call; false when another
   * replica has taken it over (the caller must stop running its document).
   */
  async save(callSid: string, ownerInstance: string, progress: SessionProgress): Promise<boolean> {
    const result = await this.rows.update({ callSid, ownerInstance }, progress);
    return (result.affected ?? 0) > 0;
  }

  find(callSid: string): Promise<CallSessionEntity | null> {
    return this.rows.findOneBy({ callSid });
  }
}

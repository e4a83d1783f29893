import { Injectable } from '@nestjs/common';
import { ParleyError } from '@parley/contracts';
import {
  RequestLogClient,
  type RequestLogEntry,
  type RequestLogQuery,
} from '../clients/request-log.client';
import { CallEventsService } from '../call-events/call-events.service';
import { type PageRequest } from '../common/paging';
import { type TimeBound } from '../common/time-filter';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const NOTIFICATION_SID = /^NO[0-9a-f]{32}$/;

export interface LogPageQuery {
  accountSid: string;
  callSid?: string;
  failedOnly: boolean;
  logLevel?: 'error' | 'warning';
  bounds: readonly TimeBound[];
  order: 'asc' | 'desc';
  request: PageRequest;
}

/** A list page's sort key: when and which entry (what its PageToken carries). */
export const logKey = (entry: RequestLogEntry): [string, string] => [entry.createdAt, entry.sid];

/**
 * Reads webhook-dispatch's request log for the Notifications, Alerts and Call Events APIs:
 * Twilio's paging (PageSize, Page, PageToken) turned into the log's cursor, an account's
 * call checked first (another account's call is 20404).
 */
@Injectable()
export class RequestLogService {
  constructor(
    private readonly log: RequestLogClient,
    private readonly calls: CallEventsService,
  ) {}

  /** 20404 unless the call is the account's. */
  async assertCall(accountSid: string, callSid: string, path: string): Promise<void> {
    if (!(await this.calls.callExists(accountSid, callSid))) {
      throw new ParleyError(20404, `The requested resource ${path} was not found`);
    }
  }

  /** `pageSize + 1` entries in the order walked (reversed for a `before` token). */
  async page(q: LogPageQuery): Promise<RequestLogEntry[]> {
    const { request } = q;
    let from: Date | undefined;
    let to: Date | undefined;
    for (const b of q.bounds) {
      if (b.from && (!from || b.from > from)) from = b.from;
      if (b.to && (!to || b.to < to)) to = b.to;
    }
    const query: RequestLogQuery = {
      accountSid: q.accountSid,
      failedOnly: q.failedOnly,
      order: q.order,
      limit: request.pageSize + 1,
      ...(q.callSid ? { callSid: q.callSid } : {}),
      ...(q.logLevel ? { logLevel: q.logLevel } : {}),
      ...(from ? { from: from.toISOString() } : {}),
      ...(to ? { to: to.toISOString() } : {}),
    };
    if (request.cursor) {
      const [createdAt, sid] = request.cursor.key;
      if (
        request.cursor.key.length !== 2 ||
        typeof createdAt !== 'string' ||
        !ISO.test(createdAt) ||
        typeof sid !== 'string' ||
        !NOTIFICATION_SID.test(sid)
      ) {
        throw new ParleyError(20001, 'PageToken is not valid');
      }
      query.cursor = { direction: request.cursor.direction, createdAt, sid };
    } else {
      query.offset = request.page * request.pageSize;
    }
    return this.log.list(query);
  }

  /** One failed request of the account (a notification or alert), or null. */
  async failure(accountSid: string, sid: string): Promise<RequestLogEntry | null> {
    if (!NOTIFICATION_SID.test(sid)) return null;
    const entry = await this.log.get(accountSid, sid);
    return entry && entry.errorCode !== null ? entry : null;
  }
}

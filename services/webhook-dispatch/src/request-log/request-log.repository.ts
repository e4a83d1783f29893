import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type CommandReply, type CommandRequest } from '@parley/contracts';
import { type DataSource } from 'typeorm';
import { type RequestLogInsert } from './request-log-entry';
import { RequestLogEntity } from './request-log.entity';

export const REQUEST_LOG_TABLE = 'webhook_dispatch.request_log';

const COLUMNS: readonly [keyof RequestLogInsert, string, string][] = [
  ['sid', 'sid', 'text'],
  ['accountSid', 'account_sid', 'text'],
  ['callSid', 'call_sid', 'text'],
  ['resourceSid', 'resource_sid', 'text'],
  ['deliveryId', 'delivery_id', 'uuid'],
  ['kind', 'kind', 'text'],
  ['requestMethod', 'request_method', 'text'],
  ['requestUrl', 'request_url', 'text'],
  ['requestParams', 'request_params', 'jsonb'],
  ['requestHeaders', 'request_headers', 'jsonb'],
  ['responseStatus', 'response_status', 'integer'],
  ['responseHeaders', 'response_headers', 'jsonb'],
  ['responseBody', 'response_body', 'text'],
  ['latencyMs', 'latency_ms', 'integer'],
  ['errorCode', 'error_code', 'integer'],
  ['logLevel', 'log_level', 'text'],
  ['message', 'message', 'text'],
];

function sqlValue(value: RequestLogInsert[keyof RequestLogInsert]): unknown {
  return value !== null && typeof value === 'object' ? JSON.stringify(value) : value;
}

/**
 * `sql` (an `UPDATE` of one row, guarded by its lease) with a request-log row written in
 * the same statement, only when the update applied: a worker that lost its lease records
 * neither outcome nor log entry.
 */
export function withLogEntry(
  sql: string,
  params: unknown[],
  entry: RequestLogInsert | null,
): { sql: string; params: unknown[] } {
  if (entry === null) return { sql, params };
  const first = params.length + 1;
  const values = COLUMNS.map(([, , cast], i) => `$${first + i}::${cast}`).join(', ');
  return {
    sql: `WITH applied AS (${sql} RETURNING 1)
      INSERT INTO ${REQUEST_LOG_TABLE} (${COLUMNS.map(([, column]) => column).join(', ')})
      SELECT ${values} FROM applied`,
    params: [...params, ...COLUMNS.map(([key]) => sqlValue(entry[key]))],
  };
}

type Entry = CommandReply<'webhooks.v1.request-log.list'>['entries'][number];

function toEntry(row: RequestLogEntity): Entry {
  return {
    sid: row.sid as Entry['sid'],
    accountSid: row.accountSid as Entry['accountSid'],
    callSid: row.callSid as Entry['callSid'],
    resourceSid: row.resourceSid,
    kind: row.kind,
    request: {
      method: row.requestMethod,
      url: row.requestUrl,
      params: row.requestParams,
      headers: row.requestHeaders,
    },
    response:
      row.responseStatus === null
        ? null
        : {
            statusCode: row.responseStatus,
            headers: row.responseHeaders ?? {},
            body: row.responseBody ?? '',
          },
    latencyMs: row.latencyMs,
    errorCode: row.errorCode,
    logLevel: row.logLevel,
    message: row.message,
    createdAt: row.createdAt.toISOString(),
  };
}

/** Reads and prunes the request log; every read is scoped by account. */
@Injectable()
export class RequestLogRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** A page of an account's log in `order`, walked from the cursor (or skipping `offset`). */
  async list(req: CommandRequest<'webhooks.v1.request-log.list'>): Promise<Entry[]> {
    const reverse = req.cursor?.direction === 'before';
    const asc = (req.order === 'asc') !== reverse;
    const qb = this.ds
      .getRepository(RequestLogEntity)
      .createQueryBuilder('l')
      .where('l.account_sid = :accountSid', { accountSid: req.accountSid });
    if (req.callSid) qb.andWhere('l.call_sid = :callSid', { callSid: req.callSid });
    if (req.failedOnly) qb.andWhere('l.error_code IS NOT NULL');
    if (req.logLevel) qb.andWhere('l.log_level = :logLevel', { logLevel: req.logLevel });
    if (req.from) qb.andWhere('l.created_at >= :from', { from: new Date(req.from) });
    if (req.to) qb.andWhere('l.created_at <= :to', { to: new Date(req.to) });
    if (req.cursor) {
      qb.andWhere(`(l.created_at, l.sid) ${asc ? '>' : '<'} (:cursorAt::timestamptz, :cursorSid)`, {
        cursorAt: req.cursor.createdAt,
        cursorSid: req.cursor.sid,
      });
    } else if (req.offset > 0) {
      qb.offset(req.offset);
    }
    const rows = await qb
      .orderBy('l.created_at', asc ? 'ASC' : 'DESC')
      .addOrderBy('l.sid', asc ? 'ASC' : 'DESC')
      .limit(req.limit)
      .getMany();
    return rows.map(toEntry);
  }

  async get(accountSid: string, sid: string): Promise<Entry | null> {
    const row = await this.ds.getRepository(RequestLogEntity).findOneBy({ accountSid, sid });
    return row ? toEntry(row) : null;
  }

  /** Deletes entries older than the retention, a batch at a time; returns how many. */
  async prune(olderThan: Date, batch: number): Promise<number> {
    const result = await this.ds.query<[unknown[], number]>(
      `DELETE FROM ${REQUEST_LOG_TABLE} WHERE sid IN (
         SELECT sid FROM ${REQUEST_LOG_TABLE} WHERE created_at < $1 LIMIT $2)`,
      [olderThan, batch],
    );
    return result[1];
  }
}

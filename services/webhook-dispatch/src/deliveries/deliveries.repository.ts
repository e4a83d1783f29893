import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource } from 'typeorm';
import { type CallbackRequest } from '../callbacks/callback-requests';
import { type RequestLogInsert } from '../request-log/request-log-entry';
import { withLogEntry } from '../request-log/request-log.repository';
import { WebhookDeliveryEntity } from './webhook-delivery.entity';

const TABLE = 'webhook_dispatch.webhook_deliveries';

/** Rows of an `UPDATE ... RETURNING`: TypeORM's postgres driver gives `[rows, count]`. */
function returned<R>(result: R[] | [R[], number]): R[] {
  return Array.isArray(result[0]) ? result[0] : (result as R[]);
}

/** A delivery a worker holds a lease on, with everything needed to send it. */
export interface ClaimedDelivery {
  id: string;
  kind: WebhookDeliveryEntity['kind'];
  accountSid: string;
  callSid: string | null;
  host: string;
  url: string;
  method: 'GET' | 'POST';
  params: Record<string, string>;
  idempotencyToken: string;
  callbackSequence: number | null;
  fallbackUrl: string | null;
  fallbackMethod: 'GET' | 'POST' | null;
  /** Attempts including this one. */
  attempts: number;
  createdAt: Date;
}

interface ClaimedRow {
  id: string;
  kind: WebhookDeliveryEntity['kind'];
  account_sid: string;
  call_sid: string | null;
  order_key: string;
  event_sequence: number;
  host: string;
  url: string;
  method: 'GET' | 'POST';
  params: Record<string, string>;
  idempotency_token: string;
  callback_sequence: number | null;
  fallback_url: string | null;
  fallback_method: 'GET' | 'POST' | null;
  attempts: number;
  created_at: Date;
}

export interface ClaimOptions {
  limit: number;
  /** Hosts not to claim now (open circuits): their rows stay for later (or another replica). */
  skipHosts: readonly string[];
  /** Rows claimed per host at most: the worker's per-host limit... */
  hostLimit: number;
  /** ...or less, for hosts it already has requests in flight to (host -> room left). */
  hostRoom: ReadonlyMap<string, number>;
  owner: string;
  leaseMs: number;
  /** How long a callback waits behind an earlier one of its order key still pending. */
  orderWaitMs: number;
}

/**
 * The delivery outbox in PostgreSQL. Rows are claimed with `FOR UPDATE SKIP LOCKED` and a
 * lease, so every replica's worker takes different rows, and a crashed worker's rows come
 * back when its lease lapses. Updates after an attempt only apply while the worker still
 * owns the row.
 */
@Injectable()
export class DeliveriesRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** Records a callback; false when its event was recorded before (a redelivery). */
  async record(request: CallbackRequest): Promise<boolean> {
    const result = await this.ds
      .createQueryBuilder()
      .insert()
      .into(WebhookDeliveryEntity)
      .values({
        kind: request.kind,
        accountSid: request.accountSid,
        callSid: request.callSid,
        orderKey: request.orderKey,
        eventSequence: request.eventSequence,
        idempotencyToken: request.eventKey,
        url: request.url,
        host: new URL(request.url).hostname.toLowerCase(),
        method: request.method,
        params: request.params,
        fallbackUrl: request.fallback?.url ?? null,
        fallbackMethod: request.fallback?.method ?? null,
        nextAttemptAt: () => 'now()',
      })
      .orIgnore()
      .returning(['id'])
      .execute();
    return result.raw instanceof Array && result.raw.length > 0;
  }

  /**
   * Leases up to `limit` due deliveries. A callback is not due while an earlier one of
   * its call (or recording) is still pending, unless it has waited `orderWaitMs`. Call
   * callbacks get their `SequenceNumber` here, at their first attempt, numbered per call
   * in the order they are sent (under a per-call advisory lock, exact across replicas).
   */
  async claim(opts: ClaimOptions): Promise<ClaimedDelivery[]> {
    if (opts.limit <= 0) return [];
    return this.ds.transaction(async (manager) => {
      const rows = returned<ClaimedRow>(
        await manager.query<ClaimedRow[] | [ClaimedRow[], number]>(
          // Candidates are locked (SKIP LOCKED, so replicas take different rows), then cut
          // to each host's room: claiming rows only to give them back cost a round of
          // updates per delivery. Candidates not taken are unlocked at commit, untouched.
          `WITH candidates AS (
           SELECT d.id, d.host, d.next_attempt_at, d.event_sequence FROM ${TABLE} d
           WHERE d.status = 'pending'
             AND d.next_attempt_at <= now()
             AND (d.lease_until IS NULL OR d.lease_until < now())
             AND NOT (d.host = ANY($2::text[]))
             AND (d.created_at <= now() - make_interval(secs => $3::double precision / 1000)
                  OR NOT EXISTS (
                    SELECT 1 FROM ${TABLE} e
                    WHERE e.order_key = d.order_key AND e.status = 'pending'
                      AND e.event_sequence < d.event_sequence))
           ORDER BY d.next_attempt_at, d.event_sequence
           LIMIT $6
           FOR UPDATE SKIP LOCKED
         ), ranked AS (
           SELECT c.id, c.next_attempt_at, c.event_sequence,
                  row_number() OVER (PARTITION BY c.host
                                     ORDER BY c.next_attempt_at, c.event_sequence) AS n,
                  coalesce(room.room_left, $7) AS host_room
           FROM candidates c
           LEFT JOIN unnest($8::text[], $9::int[]) AS room(host, room_left) ON room.host = c.host
         ), due AS (
           SELECT id FROM ranked WHERE n <= host_room
           ORDER BY next_attempt_at, event_sequence
           LIMIT $1
         )
         UPDATE ${TABLE} w
         SET lease_until = now() + make_interval(secs => $4::double precision / 1000),
             leased_by = $5, attempts = w.attempts + 1, updated_at = now()
         FROM due WHERE w.id = due.id
         RETURNING w.id, w.kind, w.account_sid, w.call_sid, w.order_key, w.event_sequence,
                   w.host, w.url, w.method, w.params, w.idempotency_token,
                   w.callback_sequence, w.fallback_url, w.fallback_method, w.attempts,
                   w.created_at`,
          [
            opts.limit,
            opts.skipHosts,
            opts.orderWaitMs,
            opts.leaseMs,
            opts.owner,
            // Enough candidates that busy hosts' rows rarely crowd out everyone else's.
            opts.limit * 4,
            opts.hostLimit,
            [...opts.hostRoom.keys()],
            [...opts.hostRoom.values()],
          ],
        ),
      );
      rows.sort((a, b) =>
        a.order_key === b.order_key
          ? a.event_sequence - b.event_sequence
          : a.order_key.localeCompare(b.order_key),
      );
      for (const row of rows) {
        if (row.kind !== 'call-status' || row.callback_sequence !== null) continue;
        await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [row.order_key]);
        type Numbered = { callback_sequence: number };
        const [numbered] = returned<Numbered>(
          await manager.query<Numbered[] | [Numbered[], number]>(
            `UPDATE ${TABLE} SET callback_sequence = (
             SELECT coalesce(max(callback_sequence), -1) + 1 FROM ${TABLE}
             WHERE order_key = $1 AND kind = 'call-status')
           WHERE id = $2 RETURNING callback_sequence`,
            [row.order_key, row.id],
          ),
        );
        row.callback_sequence = numbered?.callback_sequence ?? null;
      }
      return rows.map((row) => ({
        id: row.id,
        kind: row.kind,
        accountSid: row.account_sid,
        callSid: row.call_sid,
        host: row.host,
        url: row.url,
        method: row.method,
        params: row.params,
        idempotencyToken: row.idempotency_token,
        callbackSequence: row.callback_sequence,
        fallbackUrl: row.fallback_url,
        fallbackMethod: row.fallback_method,
        attempts: row.attempts,
        createdAt: row.created_at,
      }));
    });
  }

  /**
   * The outcome methods below apply only while `owner` holds the row, and write the
   * attempt's request-log entry (when given) in the same statement.
   */
  async markDelivered(
    id: string,
    owner: string,
    statusCode: number,
    log: RequestLogInsert | null = null,
  ): Promise<void> {
    await this.run(
      `UPDATE ${TABLE} SET status = 'delivered', delivered_at = now(), last_status_code = $3,
         error_code = NULL, last_error = NULL, lease_until = NULL, leased_by = NULL,
         updated_at = now()
       WHERE id = $1 AND leased_by = $2`,
      [id, owner, statusCode],
      log,
    );
  }

  private async run(sql: string, params: unknown[], log: RequestLogInsert | null): Promise<void> {
    const statement = withLogEntry(sql, params, log);
    await this.ds.query(statement.sql, statement.params);
  }

  async retryLater(
    id: string,
    owner: string,
    delayMs: number,
    failure: { errorCode: number | null; message: string; statusCode: number | null },
    opts: { countAttempt: boolean } = { countAttempt: true },
    log: RequestLogInsert | null = null,
  ): Promise<void> {
    await this.run(
      `UPDATE ${TABLE} SET next_attempt_at = now() + make_interval(secs => $3::double precision / 1000),
         error_code = coalesce($4, error_code), last_error = $5,
         last_status_code = coalesce($6, last_status_code),
         attempts = attempts - $7, lease_until = NULL, leased_by = NULL, updated_at = now()
       WHERE id = $1 AND leased_by = $2`,
      [
        id,
        owner,
        delayMs,
        failure.errorCode,
        failure.message,
        failure.statusCode,
        opts.countAttempt ? 0 : 1,
      ],
      log,
    );
  }

  async markFailed(
    id: string,
    owner: string,
    failure: { errorCode: number; message: string; statusCode: number | null },
    log: RequestLogInsert | null = null,
  ): Promise<void> {
    await this.run(
      `UPDATE ${TABLE} SET status = 'failed', error_code = $3, last_error = $4,
         last_status_code = coalesce($5, last_status_code), lease_until = NULL,
         leased_by = NULL, updated_at = now()
       WHERE id = $1 AND leased_by = $2`,
      [id, owner, failure.errorCode, failure.message, failure.statusCode],
      log,
    );
  }

  /**
   * The primary URL failed: the row now goes to its fallback URL, due at once with fresh
   * attempts, Twilio's `ErrorCode` and `ErrorUrl` added to its parameters.
   */
  async switchToFallback(
    id: string,
    owner: string,
    failure: { errorCode: number; message: string; statusCode: number | null; url: string },
    fallbackHost: string,
    log: RequestLogInsert | null = null,
  ): Promise<void> {
    await this.run(
      `UPDATE ${TABLE} SET url = fallback_url, method = fallback_method,
         host = $8,
         params = params || jsonb_build_object('ErrorCode', $3::text, 'ErrorUrl', $4::text),
         fallback_url = NULL, fallback_method = NULL, attempts = 0, next_attempt_at = now(),
         error_code = $5, last_error = $6, last_status_code = coalesce($7, last_status_code),
         lease_until = NULL, leased_by = NULL, updated_at = now()
       WHERE id = $1 AND leased_by = $2 AND fallback_url IS NOT NULL`,
      [
        id,
        owner,
        String(failure.errorCode),
        failure.url,
        failure.errorCode,
        failure.message,
        failure.statusCode,
        fallbackHost,
      ],
      log,
    );
  }

  /**
   * Gives rows back without an outcome (shutdown, or no room for their host): due at
   * once for any worker; the attempt claimed for them is not counted.
   */
  async release(ids: readonly string[], owner: string): Promise<void> {
    if (ids.length === 0) return;
    await this.ds.query(
      `UPDATE ${TABLE} SET lease_until = NULL, leased_by = NULL, attempts = attempts - 1,
         updated_at = now()
       WHERE id = ANY($1::uuid[]) AND leased_by = $2`,
      [ids, owner],
    );
  }

  /** Failed deliveries go back to pending with fresh attempts; returns how many. */
  async redrive(filter: { deliveryIds?: readonly string[]; accountSid?: string }): Promise<number> {
    const rows = returned<{ id: string }>(
      await this.ds.query<{ id: string }[] | [{ id: string }[], number]>(
        `UPDATE ${TABLE} SET status = 'pending', attempts = 0, next_attempt_at = now(),
         lease_until = NULL, leased_by = NULL, updated_at = now()
       WHERE status = 'failed'
         AND ($1::uuid[] IS NULL OR id = ANY($1::uuid[]))
         AND ($2::text IS NULL OR account_sid = $2)
       RETURNING id`,
        [filter.deliveryIds ?? null, filter.accountSid ?? null],
      ),
    );
    return rows.length;
  }

  /** Deliveries not sent yet (the backlog gauge). */
  async pendingCount(): Promise<number> {
    const [row] = await this.ds.query<{ n: string }[]>(
      `SELECT count(*) AS n FROM ${TABLE} WHERE status = 'pending'`,
    );
    return Number(row?.n ?? 0);
  }
}

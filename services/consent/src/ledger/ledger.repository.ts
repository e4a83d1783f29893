import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type AccountSid, type CallSid } from '@parley/contracts';
import { type DataSource, type EntityManager } from 'typeorm';
import { DAY_MS, EMPTY_PAIR, type PairState } from '../rules/consent-rules';
import {
  type AttemptState,
  CallAttemptEntity,
  type LedgerKind,
  PermissionRequestEntity,
  PermissionStateEntity,
} from './entities';

/** One pair: an account's business number and a WhatsApp user. */
export interface PairKey {
  accountSid: AccountSid;
  business: string;
  user: string;
}

export interface LedgerRecord {
  kind: LedgerKind;
  at: Date;
  callSid?: CallSid | null;
  requestRef?: string | null;
  rule?: string | null;
  /** One per logical event: a second record with the same key is not written. */
  dedupKey?: string | null;
  detail?: Record<string, unknown>;
}

/** Attempt states whose slot counts against the connected-calls limit (see `callsUsed`). */
const ATTEMPT_RANK: Record<AttemptState, number> = {
  reserved: 0,
  refused: 0,
  placed: 1,
  connected: 2,
  missed: 2,
  released: 2,
};

/**
 * A transaction holding one pair's row lock: everything that reads the pair's history to
 * decide, and everything that changes it, runs inside one, so concurrent checks for one
 * user are serialised by PostgreSQL and can never exceed a limit together.
 */
export class PairTransaction {
  constructor(
    readonly manager: EntityManager,
    readonly key: PairKey,
    readonly state: PairState,
  ) {}

  /** Appends to the history; false when an entry with the same dedup key exists. */
  async record(entry: LedgerRecord): Promise<boolean> {
    const rows: unknown[] = await this.manager.query(
      `INSERT INTO consent.ledger_entries
         (account_sid, business, user_address, kind, occurred_at, call_sid, request_ref, rule, dedup_key, detail)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (dedup_key) DO NOTHING RETURNING id`,
      [
        this.key.accountSid,
        this.key.business,
        this.key.user,
        entry.kind,
        entry.at,
        entry.callSid ?? null,
        entry.requestRef ?? null,
        entry.rule ?? null,
        entry.dedupKey ?? null,
        JSON.stringify(entry.detail ?? {}),
      ],
    );
    return rows.length === 1;
  }

  async saveState(state: PairState, at: Date): Promise<void> {
    await this.manager.update(PermissionStateEntity, this.key, {
      permission: state.permission,
      source: state.source,
      grantedAt: state.grantedAt,
      expiresAt: state.expiresAt,
      consecutiveMissed: state.consecutiveMissed,
      reprompt: state.reprompt,
      updatedAt: at,
    });
  }

  /**
   * Calls that hold one of the user's slots now: connected in the last 24 h, placed (created,
   * outcome unknown yet) in the last 24 h, or reserved and still held.
   */
  async callsUsed(now: Date): Promise<number> {
    const since = new Date(now.getTime() - DAY_MS);
    const [row] = await this.manager.query<{ used: string }[]>(
      `SELECT count(*) AS used FROM consent.call_attempts
        WHERE account_sid = $1 AND business = $2 AND user_address = $3
          AND ((state = 'connected' AND connected_at > $4)
            OR (state = 'placed' AND reserved_at > $4)
            OR (state = 'reserved' AND hold_until > $5))`,
      [this.key.accountSid, this.key.business, this.key.user, since, now],
    );
    return Number(row?.used ?? 0);
  }

  /** Permission requests sent or pending, in the last 24 h and 7 days. */
  async requestsUsed(now: Date): Promise<{ last24h: number; last7d: number }> {
    const [row] = await this.manager.query<{ day: string; week: string }[]>(
      `SELECT count(*) FILTER (WHERE reserved_at > $4) AS day,
              count(*) FILTER (WHERE reserved_at > $5) AS week
         FROM consent.permission_requests
        WHERE account_sid = $1 AND business = $2 AND user_address = $3
          AND state IN ('reserved', 'sent') AND reserved_at > $5`,
      [
        this.key.accountSid,
        this.key.business,
        this.key.user,
        new Date(now.getTime() - DAY_MS),
        new Date(now.getTime() - 7 * DAY_MS),
      ],
    );
    return { last24h: Number(row?.day ?? 0), last7d: Number(row?.week ?? 0) };
  }

  attempt(callSid: CallSid): Promise<CallAttemptEntity | null> {
    return this.manager.findOne(CallAttemptEntity, {
      where: { callSid },
      lock: { mode: 'pessimistic_write' },
    });
  }

  async insertAttempt(attempt: Omit<CallAttemptEntity, keyof PairKey>): Promise<void> {
    await this.manager.insert(CallAttemptEntity, { ...attempt, ...this.key });
  }

  /**
   * Moves an attempt forward (reserved → placed → connected | missed | released); a move
   * back, or sideways between outcomes, is ignored. Returns whether it moved.
   */
  async advanceAttempt(
    attempt: CallAttemptEntity,
    to: AttemptState,
    patch: Partial<Pick<CallAttemptEntity, 'connectedAt' | 'endedAt' | 'holdUntil'>>,
  ): Promise<boolean> {
    if (ATTEMPT_RANK[to] <= ATTEMPT_RANK[attempt.state] || attempt.state === 'refused')
      return false;
    await this.manager.update(
      CallAttemptEntity,
      { callSid: attempt.callSid },
      { state: to, ...patch },
    );
    Object.assign(attempt, { state: to, ...patch });
    return true;
  }

  request(requestRef: string): Promise<PermissionRequestEntity | null> {
    return this.manager.findOne(PermissionRequestEntity, {
      where: { accountSid: this.key.accountSid, requestRef },
      lock: { mode: 'pessimistic_write' },
    });
  }

  async settleRequest(
    request: PermissionRequestEntity,
    outcome: 'sent' | 'failed',
    at: Date,
  ): Promise<void> {
    await this.manager.update(
      PermissionRequestEntity,
      { accountSid: request.accountSid, requestRef: request.requestRef },
      { state: outcome, settledAt: at },
    );
  }

  async insertRequest(
    request: Omit<PermissionRequestEntity, 'accountSid' | 'business' | 'user'>,
  ): Promise<void> {
    await this.manager.insert(PermissionRequestEntity, { ...request, ...this.key });
  }
}

/** The consent ledger in PostgreSQL. */
@Injectable()
export class LedgerRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /**
   * Runs `work` in a transaction holding the pair's row lock (the row is created, empty,
   * the first time a pair is seen).
   */
  async withPair<T>(
    pair: PairKey,
    at: Date,
    work: (tx: PairTransaction) => Promise<T>,
  ): Promise<T> {
    const key = pairKey(pair);
    return this.ds.transaction(async (manager) => {
      await manager.query(
        `INSERT INTO consent.permission_states (account_sid, business, user_address, updated_at)
         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
        [key.accountSid, key.business, key.user, at],
      );
      const row = await manager.findOneOrFail(PermissionStateEntity, {
        where: key,
        lock: { mode: 'pessimistic_write' },
      });
      return work(new PairTransaction(manager, key, toPairState(row)));
    });
  }

  /** Reads a pair (an unknown pair is empty) in one snapshot, locking and creating nothing. */
  async readPair<T>(pair: PairKey, work: (tx: PairTransaction) => Promise<T>): Promise<T> {
    const key = pairKey(pair);
    return this.ds.transaction('REPEATABLE READ', async (manager) => {
      const row = await manager.findOne(PermissionStateEntity, { where: key });
      return work(new PairTransaction(manager, key, row ? toPairState(row) : EMPTY_PAIR));
    });
  }

  /** The attempt of a call, without locking (to find its pair). */
  findAttempt(callSid: CallSid): Promise<CallAttemptEntity | null> {
    return this.ds.getRepository(CallAttemptEntity).findOneBy({ callSid });
  }

  findRequest(accountSid: AccountSid, requestRef: string): Promise<PermissionRequestEntity | null> {
    return this.ds.getRepository(PermissionRequestEntity).findOneBy({ accountSid, requestRef });
  }
}

/** Just the key (callers may pass a whole row that has one). */
function pairKey(pair: PairKey): PairKey {
  return { accountSid: pair.accountSid, business: pair.business, user: pair.user };
}

function toPairState(row: PermissionStateEntity): PairState {
  return {
    permission: row.permission,
    source: row.source,
    grantedAt: row.grantedAt,
    expiresAt: row.expiresAt,
    consecutiveMissed: row.consecutiveMissed,
    reprompt: row.reprompt,
  };
}

import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  MetricsService,
  PARLEY_ENV,
  PARLEY_LOGGER,
  type ParleyLogger,
  PeriodicTasks,
  SERVICE_INFO,
  type ServiceInfo,
} from '@parley/nest-kit';
import { Counter } from 'prom-client';
import { type DataSource, type EntityManager } from 'typeorm';
import { type CallControlEnv } from '../config/env.schema';
import { CallEntity } from './call.entity';
import { CallEffectEntity } from './call-effect.entity';
import {
  type CallEffectKind,
  type CallEffectOutcome,
  type CallEffectSpec,
  retryDelayMs,
} from './call-effect-policy';

/** Does one effect for a call as it is now; throws to be tried again later. */
export type CallEffectExecutor = (
  call: CallEntity,
  effect: CallEffectEntity,
) => Promise<CallEffectOutcome>;

/**
 * Writes a call's effects in the caller's transaction (the one that changes its status),
 * so they exist exactly when the change does. An effect already recorded for the call is
 * re-armed (pending again, fresh attempts) unless it is pending already.
 */
export async function enqueueCallEffects(
  manager: EntityManager,
  callSid: string,
  effects: readonly CallEffectSpec[],
): Promise<void> {
  for (const effect of effects) {
    await manager.query(
      `INSERT INTO "call_control"."call_effects" ("call_sid", "kind", "detail")
       VALUES ($1, $2, $3::jsonb)
       ON CONFLICT ("call_sid", "kind") DO UPDATE
         SET "status" = 'pending', "detail" = EXCLUDED."detail", "attempts" = 0,
             "next_attempt_at" = now(), "last_error" = NULL, "date_updated" = now()
         WHERE "call_effects"."status" <> 'pending'`,
      [callSid, effect.kind, JSON.stringify(effect.detail ?? {})],
    );
  }
}

/**
 * The worker of call_effects: runs a call's effects right after the commit that recorded
 * them (`runForCall`), and polls for the ones a failure or a crash left pending. An
 * attempt claims its row with a lease (a conditional UPDATE, so one replica works on it);
 * a failure is retried with backoff; after CALL_EFFECT_MAX_ATTEMPTS the row is
 * dead-lettered (status `dead`, counted, logged) until an operator re-drives it
 * (`cli.js effects:redrive`).
 */
@Injectable()
export class CallEffects implements OnApplicationBootstrap {
  private readonly executors = new Map<CallEffectKind, CallEffectExecutor>();
  private readonly outcomes: Counter<'kind' | 'outcome'>;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(PARLEY_ENV) private readonly env: CallControlEnv,
    @Inject(PARLEY_LOGGER) private readonly logger: ParleyLogger,
    @Inject(SERVICE_INFO) private readonly info: ServiceInfo,
    metrics: MetricsService,
    tasks: PeriodicTasks,
  ) {
    this.outcomes = new Counter({
      name: 'parley_call_effects_total',
      help: 'Attempts at call side effects (Meta terminate/reject, media close, set-up), by kind and outcome (done, refused, retry, dead).',
      labelNames: ['kind', 'outcome'],
      registers: [metrics.registry],
    });
    tasks.every('call-effects.due', env.CALL_EFFECT_POLL_MS, (signal) => this.runDue(signal));
  }

  /** The instance restarted: nothing it claimed before is still running, so it is due now. */
  async onApplicationBootstrap(): Promise<void> {
    const result = await this.ds
      .createQueryBuilder()
      .update(CallEffectEntity)
      .set({ nextAttemptAt: () => 'now()' })
      .where("status = 'pending' AND claimed_by = :me AND next_attempt_at > now()", {
        me: this.info.instanceId,
      })
      .execute();
    if (result.affected) {
      this.logger.info({ effects: result.affected }, 'resuming call effects of a previous run');
    }
  }

  /** Declares who does effects of `kind` (the feature that owns them, at construction). */
  register(kind: CallEffectKind, executor: CallEffectExecutor): void {
    if (this.executors.has(kind)) throw new Error(`call effect ${kind} is registered twice`);
    this.executors.set(kind, executor);
  }

  /** Records effects for a call outside any transition, then runs them. */
  async enqueue(callSid: string, effects: readonly CallEffectSpec[]): Promise<void> {
    if (!effects.length) return;
    await this.ds.transaction((manager) => enqueueCallEffects(manager, callSid, effects));
    await this.runForCall(callSid);
  }

  /**
   * Runs a call's due effects now, in the order they were recorded. `current`: the call as
   * its caller just committed it, handed to the first effect instead of reading it again.
   */
  async runForCall(callSid: string, current?: CallEntity): Promise<void> {
    const due = await this.ds
      .getRepository(CallEffectEntity)
      .createQueryBuilder('e')
      .select('e.id', 'id')
      .where("e.call_sid = :callSid AND e.status = 'pending' AND e.next_attempt_at <= now()", {
        callSid,
      })
      .orderBy('e.id', 'ASC')
      .getRawMany<{ id: string }>();
    let fresh = current?.sid === callSid ? current : undefined;
    for (const { id } of due) {
      await this.run(String(id), fresh);
      fresh = undefined;
    }
  }

  /** Runs every due effect once (until `signal` aborts); returns how many were attempted. */
  async runDue(signal?: AbortSignal): Promise<number> {
    const due = await this.ds
      .getRepository(CallEffectEntity)
      .createQueryBuilder('e')
      .select('e.id', 'id')
      .where("e.status = 'pending' AND e.next_attempt_at <= now()")
      .orderBy('e.next_attempt_at', 'ASC')
      .limit(100)
      .getRawMany<{ id: string }>();
    for (const { id } of due) {
      if (signal?.aborted) break;
      await this.run(String(id));
    }
    return due.length;
  }

  /** Claims one effect if it is due and does it (on `current`, if given). Never throws. */
  async run(id: string, current?: CallEntity): Promise<void> {
    const effect = await this.claim(id);
    if (!effect) return;
    const executor = this.executors.get(effect.kind);
    try {
      if (!executor) throw new Error(`no executor for call effect ${effect.kind}`);
      const call =
        current ?? (await this.ds.getRepository(CallEntity).findOneBy({ sid: effect.callSid }));
      const outcome: CallEffectOutcome = call
        ? await executor(call, effect)
        : { kind: 'refused', reason: 'the call no longer exists' };
      await this.settle(effect, outcome);
    } catch (error) {
      await this.failed(effect, error).catch((e: unknown) =>
        this.logger.error(
          { err: e, effectId: effect.id },
          'could not record a call effect failure',
        ),
      );
    }
  }

  /** Saves a step of a multi-step effect, so a retry resumes after it. */
  async saveProgress(effect: CallEffectEntity, detail: Record<string, unknown>): Promise<void> {
    effect.detail = { ...effect.detail, ...detail };
    await this.ds.query(
      `UPDATE "call_control"."call_effects" SET "detail" = $2::jsonb, "date_updated" = now() WHERE "id" = $1`,
      [effect.id, JSON.stringify(effect.detail)],
    );
  }

  /** Puts dead-lettered effects (of one call, or all) back in the queue; returns how many. */
  static async redrive(ds: DataSource, callSid?: string): Promise<number> {
    const qb = ds
      .createQueryBuilder()
      .update(CallEffectEntity)
      .set({ status: 'pending', attempts: 0, nextAttemptAt: () => 'now()', lastError: null })
      .where("status = 'dead'");
    if (callSid) qb.andWhere('call_sid = :callSid', { callSid });
    return (await qb.execute()).affected ?? 0;
  }

  private async claim(id: string): Promise<CallEffectEntity | null> {
    const result = await this.ds
      .createQueryBuilder()
      .update(CallEffectEntity)
      .set({
        attempts: () => 'attempts + 1',
        claimedBy: this.info.instanceId,
        nextAttemptAt: () =>
          `now() + make_interval(secs => ${this.env.CALL_EFFECT_LEASE_MS / 1000})`,
      })
      .where("id = :id AND status = 'pending' AND next_attempt_at <= now()", { id })
      .returning('*')
      .execute();
    // The claimed row comes back with the claim: no second read on the set-up path.
    const raw = (result.raw as Record<string, unknown>[])[0];
    if (!raw) return null;
    return this.ds.getRepository(CallEffectEntity).create({
      id: String(raw.id),
      callSid: raw.call_sid as string,
      kind: raw.kind as CallEffectKind,
      status: raw.status as CallEffectEntity['status'],
      detail: raw.detail as Record<string, unknown>,
      attempts: raw.attempts as number,
      nextAttemptAt: raw.next_attempt_at as Date,
      claimedBy: raw.claimed_by as string | null,
      lastError: raw.last_error as string | null,
      dateCreated: raw.date_created as Date,
      dateUpdated: raw.date_updated as Date,
    });
  }

  private async settle(effect: CallEffectEntity, outcome: CallEffectOutcome): Promise<void> {
    await this.ds
      .getRepository(CallEffectEntity)
      .update(
        { id: effect.id },
        outcome.kind === 'done'
          ? { status: 'done', lastError: null }
          : { status: 'refused', lastError: outcome.reason.slice(0, 2000) },
      );
    this.outcomes.inc({ kind: effect.kind, outcome: outcome.kind });
    if (outcome.kind === 'refused') {
      this.logger.warn(
        { callSid: effect.callSid, kind: effect.kind, reason: outcome.reason },
        `call effect ${effect.kind} refused`,
      );
    }
  }

  private async failed(effect: CallEffectEntity, error: unknown): Promise<void> {
    const message = (error instanceof Error ? error.message : String(error)).slice(0, 2000);
    const dead = effect.attempts >= this.env.CALL_EFFECT_MAX_ATTEMPTS;
    await this.ds.getRepository(CallEffectEntity).update(
      { id: effect.id },
      dead
        ? { status: 'dead', lastError: message }
        : {
            lastError: message,
            nextAttemptAt: new Date(
              Date.now() + retryDelayMs(effect.attempts, this.env.CALL_EFFECT_RETRY_BASE_MS),
            ),
          },
    );
    this.outcomes.inc({ kind: effect.kind, outcome: dead ? 'dead' : 'retry' });
    const log = {
      err: error,
      callSid: effect.callSid,
      kind: effect.kind,
      attempts: effect.attempts,
    };
    if (dead) this.logger.error(log, `call effect ${effect.kind} dead-lettered`);
    else this.logger.warn(log, `call effect ${effect.kind} failed; will retry`);
  }
}

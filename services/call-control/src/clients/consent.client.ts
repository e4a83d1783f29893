import { Inject, Injectable } from '@nestjs/common';
import {
  type CommandReply,
  type CommandRequestInput,
  isErrorCode,
  type MetaPermissionOpinionV1,
  NatsBus,
  ParleyError,
} from '@parley/contracts';
import { PARLEY_ENV, PARLEY_LOGGER, type ParleyLogger } from '@parley/nest-kit';
import { type CallControlEnv } from '../config/env.schema';
import { clientError } from './client-errors';

export interface ConsentQuestion {
  accountSid: string;
  senderSid: string;
  business: string;
  user: string;
  /** The call the check is for: an allowed check holds one of the user's call slots for it. */
  callSid?: string;
  /** Meta's own answer, when asked for a second opinion. */
  meta?: MetaPermissionOpinionV1;
}

/**
 * Asks consent whether the business may call the user now. Fails closed: a refusal, or a
 * consent service that cannot be asked, is an error and nothing is sent to Meta.
 */
@Injectable()
export class ConsentClient {
  constructor(
    private readonly bus: NatsBus,
    @Inject(PARLEY_ENV) private readonly env: CallControlEnv,
    @Inject(PARLEY_LOGGER) private readonly logger: ParleyLogger,
  ) {}

  async assertAllowed(q: ConsentQuestion): Promise<void> {
    let reply;
    try {
      reply = await this.bus.request(
        'consent.v1.permission.check',
        {
          accountSid: q.accountSid,
          senderSid: q.senderSid,
          business: q.business,
          user: q.user,
          ...(q.callSid ? { callSid: q.callSid } : {}),
          ...(q.meta ? { meta: q.meta } : {}),
        },
        { timeoutMs: this.env.NATS_REQUEST_TIMEOUT_MS },
      );
    } catch (error) {
      const mapped = clientError(error, 'consent', 20503);
      throw new ParleyError(
        mapped.code,
        `${mapped.message}: call permission could not be checked, so no call was placed`,
        { cause: error },
      );
    }
    if (reply.allowed) return;
    const code = isErrorCode(reply.errorCode) ? reply.errorCode : 37000;
    throw new ParleyError(
      code,
      reply.reason ?? `The WhatsApp user ${q.user} has not granted call permission`,
    );
  }

  /**
   * The checked call never reached Meta (it could not even be created): its slot is free
   * again. Best effort: when consent cannot be told, the slot lapses after its hold time.
   */
  async release(accountSid: string, callSid: string): Promise<void> {
    try {
      await this.bus.request(
        'consent.v1.permission.release',
        { accountSid, callSid },
        { timeoutMs: this.env.NATS_REQUEST_TIMEOUT_MS },
      );
    } catch (error) {
      this.logger.warn({ err: error, callSid }, 'call slot not released at consent (it lapses)');
    }
  }

  /** The pair's permission, allowances and next refusals (`consent.v1.permission.state`). */
  async state(q: {
    accountSid: string;
    business: string;
    user: string;
  }): Promise<CommandReply<'consent.v1.permission.state'>> {
    try {
      return await this.bus.request('consent.v1.permission.state', q, {
        timeoutMs: this.env.NATS_REQUEST_TIMEOUT_MS,
      });
    } catch (error) {
      throw clientError(error, 'consent', 20503);
    }
  }

  /**
   * Reserves a call-permission request with consent before it is sent (WhatsApp's 1 per
   * 24 h and 2 per 7 days): its answer, refusals included. Asked again with the same
   * `requestRef`, consent answers the same. A consent that cannot be asked throws.
   */
  async reservePermissionRequest(
    request: CommandRequestInput<'consent.v1.permission-request.reserve'>,
  ): Promise<CommandReply<'consent.v1.permission-request.reserve'>> {
    try {
      return await this.bus.request('consent.v1.permission-request.reserve', request, {
        timeoutMs: this.env.NATS_REQUEST_TIMEOUT_MS,
      });
    } catch (error) {
      throw clientError(error, 'consent', 20503);
    }
  }

  /** Tells consent whether a reserved request reached Meta (`sent`) or not (`failed`). */
  async settlePermissionRequest(
    request: CommandRequestInput<'consent.v1.permission-request.settle'>,
  ): Promise<void> {
    try {
      await this.bus.request('consent.v1.permission-request.settle', request, {
        timeoutMs: this.env.NATS_REQUEST_TIMEOUT_MS,
      });
    } catch (error) {
      throw clientError(error, 'consent', 20503);
    }
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { type CommandReply, type CommandRequestInput, NatsBus } from '@parley/contracts';
import { PARLEY_ENV } from '@parley/nest-kit';
import { type CallControlEnv } from '../config/env.schema';
import { clientError } from './client-errors';

export type RequestLogEntry = CommandReply<'webhooks.v1.request-log.list'>['entries'][number];
export type RequestLogQuery = CommandRequestInput<'webhooks.v1.request-log.list'>;

/**
 * webhook-dispatch's request log (every request made to a business URL and its answer):
 * the source of Notifications, Alerts and a call's Events. Always scoped by account.
 */
@Injectable()
export class RequestLogClient {
  constructor(
    private readonly bus: NatsBus,
    @Inject(PARLEY_ENV) private readonly env: CallControlEnv,
  ) {}

  async list(query: RequestLogQuery): Promise<RequestLogEntry[]> {
    try {
      const reply = await this.bus.request('webhooks.v1.request-log.list', query, {
        timeoutMs: this.env.NATS_REQUEST_TIMEOUT_MS,
      });
      return reply.entries;
    } catch (error) {
      throw clientError(error, 'webhook-dispatch', 20503);
    }
  }

  async get(accountSid: string, sid: string): Promise<RequestLogEntry | null> {
    try {
      const reply = await this.bus.request(
        'webhooks.v1.request-log.get',
        { accountSid, sid },
        { timeoutMs: this.env.NATS_REQUEST_TIMEOUT_MS },
      );
      return reply.entry;
    } catch (error) {
      throw clientError(error, 'webhook-dispatch', 20503);
    }
  }
}

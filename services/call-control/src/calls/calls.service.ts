import { Injectable } from '@nestjs/common';
import { ParleyError } from '@parley/contracts';
import { CustomerUrls } from '../common/customer-urls';
import { type TwilioPage } from '../common/paging';
import { InterpreterClient } from '../clients/interpreter.client';
import { type CallEntity } from './call.entity';
import { CallEndings } from './call-endings.service';
import { callDocument, sessionStart, voiceParameters } from './call-session';
import { CallStateService, type CallPatch } from './call-state.service';
import { CallsRepository } from './calls.repository';
import {
  type CreateCallCommand,
  type ListCallsCommand,
  type UpdateCallCommand,
} from './calls.schemas';
import { OutboundCalls } from './outbound-calls.service';

/** The REST Call resource: create, list, fetch, update (redirect, cancel, complete). */
@Injectable()
export class CallsService {
  constructor(
    private readonly calls: CallsRepository,
    private readonly outbound: OutboundCalls,
    private readonly endings: CallEndings,
    private readonly state: CallStateService,
    private readonly interpreter: InterpreterClient,
    private readonly urls: CustomerUrls,
  ) {}

  async create(accountSid: string, command: CreateCallCommand): Promise<CallEntity> {
    this.urls.assertAllowed({
      Url: command.Url,
      FallbackUrl: command.FallbackUrl,
      StatusCallback: command.StatusCallback,
      RecordingStatusCallback: command.RecordingStatusCallback,
    });
    return this.outbound.createFromApi(accountSid, command);
  }

  list(accountSid: string, query: ListCallsCommand): Promise<TwilioPage> {
    return this.calls.list(accountSid, query);
  }

  get(accountSid: string, sid: string): Promise<CallEntity> {
    return this.calls.get(accountSid, sid);
  }

  async update(accountSid: string, sid: string, command: UpdateCallCommand): Promise<CallEntity> {
    const call = await this.calls.get(accountSid, sid);
    this.urls.assertAllowed({
      Url: command.Url,
      FallbackUrl: command.FallbackUrl,
      StatusCallback: command.StatusCallback,
    });
    const {
      Status: status,
      Url: url,
      Twiml: twiml,
      FallbackUrl: fallbackUrl,
      StatusCallback: statusCallback,
      StatusCallbackMethod: statusCallbackMethod,
      TimeLimit: timeLimit,
    } = command;
    const patch: CallPatch = {};
    if (url !== undefined) {
      patch.url = url;
      patch.twiml = null;
      patch.method = command.Method ?? 'POST';
    }
    if (twiml !== undefined) {
      patch.twiml = twiml;
      patch.url = null;
    }

    if (status !== undefined) {
      await this.endings.endFromApi(call, status);
      return this.calls.get(accountSid, sid);
    }
    if (url !== undefined || twiml !== undefined) {
      if (call.status !== 'in-progress') {
        throw new ParleyError(
          21220,
          `Call is not in-progress. Cannot redirect (status ${call.status}).`,
        );
      }
      await this.state.patch(sid, {
        ...patch,
        ...(fallbackUrl !== undefined
          ? { fallbackUrl, fallbackMethod: command.FallbackMethod ?? 'POST' }
          : {}),
      });
      const updated = await this.calls.get(accountSid, sid);
      const document = callDocument(updated);
      if (!document) throw new Error('unreachable: a redirect always sets Url or Twiml');
      await this.interpreter.redirect(sessionStart(updated, document, voiceParameters(updated)));
    }
    const other: Record<string, unknown> = {};
    if (statusCallback !== undefined) other.statusCallback = statusCallback;
    if (statusCallbackMethod !== undefined) other.statusCallbackMethod = statusCallbackMethod;
    if (timeLimit !== undefined) {
      other.timeLimitSec = timeLimit;
      if (call.status === 'in-progress' && call.startTime) {
        other.timeLimitDeadline = new Date(call.startTime.getTime() + timeLimit * 1000);
      }
    }
    if (Object.keys(other).length) await this.calls.updateFields(sid, other);
    return this.calls.get(accountSid, sid);
  }
}

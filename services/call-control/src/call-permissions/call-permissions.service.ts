import { Injectable } from '@nestjs/common';
import { type CommandReply, ParleyError } from '@parley/contracts';
import { ConsentClient } from '../clients/consent.client';
import { API_PREFIX, rfc2822 } from '../common/twilio-format';
import { SendersService } from '../senders/senders.service';
import {
  type CallPermissionResource,
  type FetchCallPermissionCommand,
} from './call-permissions.schemas';

type Next = CommandReply<'consent.v1.permission.state'>['nextCall'];

function nextAction(next: Next): CallPermissionResource['next_call'] {
  return {
    allowed: next.allowed,
    rule: next.reason?.split(':')[0] ?? null,
    error_code: next.errorCode,
    message: next.reason,
  };
}

/** Reads a user's call permission for one of the account's senders from consent. */
@Injectable()
export class CallPermissionsService {
  constructor(
    private readonly senders: SendersService,
    private readonly consent: ConsentClient,
  ) {}

  async fetch(
    accountSid: string,
    command: FetchCallPermissionCommand,
  ): Promise<CallPermissionResource> {
    const sender = await this.senders.findByAddress(accountSid, command.From);
    if (!sender)
      throw new ParleyError(21210, `${command.From} is not a WhatsApp sender of this account`);
    const state = await this.consent.state({
      accountSid,
      business: sender.senderId,
      user: command.To,
    });
    const date = (iso: string | null) => (iso ? rfc2822(new Date(iso)) : null);
    return {
      account_sid: accountSid,
      from: sender.senderId,
      to: command.To,
      status: state.permission as CallPermissionResource['status'],
      source: state.permissionSource,
      date_granted: date(state.grantedAt),
      date_expires: date(state.expiresAt),
      consecutive_missed_calls: state.consecutiveMissedCalls,
      reprompt: state.reprompt,
      calls: state.calls,
      permission_requests: state.requests,
      next_call: nextAction(state.nextCall),
      next_permission_request: nextAction(state.nextRequest),
      api_version: API_PREFIX.slice(1),
      uri: `${API_PREFIX}/Accounts/${accountSid}/CallPermissions/${encodeURIComponent(command.To)}.json?From=${encodeURIComponent(sender.senderId)}`,
    };
  }
}

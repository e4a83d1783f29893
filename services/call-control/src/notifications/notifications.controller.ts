import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { ApiBasicAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ParleyError } from '@parley/contracts';
import { ApiAuthGuard } from '../auth/api-auth.guard';
import { buildPage, parsePageRequest, type QueryParams } from '../common/paging';
import { type TimeBound, timeBound } from '../common/time-filter';
import { firstValue } from '../common/twilio-form';
import { accountPath, API_PREFIX } from '../common/twilio-format';
import { ApiDoc } from '../openapi/api-doc';
import { serializeNotification, serializeTwilioCallEvent } from './request-log-views';
import { logKey, RequestLogService } from './request-log.service';

const PAGING = {
  PageSize: 'Records per page (1-1000, default 50)',
  Page: 'Page number',
  PageToken: 'Paging token',
};
const NOTIFICATION_FILTERS = {
  Log: '0: errors only (callbacks that failed for good), 1: warnings only (failed attempts retried)',
  MessageDate: 'On this date (YYYY-MM-DD)',
  'MessageDate<': 'On or before',
  'MessageDate>': 'On or after',
  ...PAGING,
};

/** `Log` and `MessageDate` filters of a Notifications list. */
function notificationFilters(query: QueryParams): {
  filters: Record<string, string | undefined>;
  logLevel?: 'error' | 'warning';
  bounds: TimeBound[];
} {
  const filters: Record<string, string | undefined> = {};
  for (const name of ['Log', 'MessageDate', 'MessageDate<', 'MessageDate>']) {
    filters[name] = firstValue(query[name]);
  }
  const bounds: TimeBound[] = [];
  if (filters.MessageDate) bounds.push(timeBound('MessageDate', filters.MessageDate, '='));
  if (filters['MessageDate<']) bounds.push(timeBound('MessageDate<', filters['MessageDate<'], '<'));
  if (filters['MessageDate>']) bounds.push(timeBound('MessageDate>', filters['MessageDate>'], '>'));
  const log = filters.Log;
  if (log !== undefined && log !== '0' && log !== '1') {
    throw new ParleyError(20001, 'Log must be 0 (error) or 1 (warning)');
  }
  return {
    filters,
    bounds,
    ...(log === undefined ? {} : { logLevel: log === '0' ? 'error' : 'warning' }),
  };
}

/**
 * Twilio's Notifications (account and call) and the call's Events: read from
 * webhook-dispatch's request log (every callback request Parley made and its answer).
 */
@ApiTags('Notifications')
@ApiBasicAuth()
@UseGuards(ApiAuthGuard)
@Controller(`${API_PREFIX}/Accounts/:AccountSid`)
export class NotificationsController {
  constructor(private readonly log: RequestLogService) {}

  @Get('Notifications.json')
  @ApiOperation({ summary: "The account's failed callback requests, newest first" })
  @ApiDoc({
    params: ['AccountSid'],
    query: NOTIFICATION_FILTERS,
    list: { component: 'Notification', key: 'notifications', style: '2010' },
  })
  async list(@Param('AccountSid') accountSid: string, @Query() query: QueryParams) {
    return this.notifications(accountSid, null, query);
  }

  @Get('Notifications/:Sid.json')
  @ApiOperation({ summary: 'A failed callback request, with its parameters and the answer' })
  @ApiDoc({ params: ['AccountSid', 'Sid'], response: 'Notification' })
  async fetch(@Param('AccountSid') accountSid: string, @Param('Sid') sid: string) {
    const entry = await this.log.failure(accountSid, sid);
    if (!entry) throw notFound(`${accountPath(accountSid)}/Notifications/${sid}.json`);
    return serializeNotification(entry, { instance: true });
  }

  @Get('Calls/:CallSid/Notifications.json')
  @ApiOperation({ summary: "The call's failed callback requests, newest first" })
  @ApiDoc({
    params: ['AccountSid', 'CallSid'],
    query: NOTIFICATION_FILTERS,
    list: { component: 'Notification', key: 'notifications', style: '2010' },
  })
  async listForCall(
    @Param('AccountSid') accountSid: string,
    @Param('CallSid') callSid: string,
    @Query() query: QueryParams,
  ) {
    return this.notifications(accountSid, callSid, query);
  }

  @Get('Calls/:CallSid/Notifications/:Sid.json')
  @ApiOperation({ summary: 'A failed callback request of the call' })
  @ApiDoc({ params: ['AccountSid', 'CallSid', 'Sid'], response: 'Notification' })
  async fetchForCall(
    @Param('AccountSid') accountSid: string,
    @Param('CallSid') callSid: string,
    @Param('Sid') sid: string,
  ) {
    const path = `${accountPath(accountSid)}/Calls/${callSid}/Notifications/${sid}.json`;
    const entry = await this.log.failure(accountSid, sid);
    if (!entry || entry.callSid !== callSid) throw notFound(path);
    return serializeNotification(entry, { instance: true });
  }

  @Get('Calls/:CallSid/Events.json')
  @ApiOperation({
    summary:
      "Twilio's call events: every request made to the business for the call (status callbacks, recording callbacks) with the answer, oldest first. Parley's full timeline is Timeline.json",
  })
  @ApiDoc({
    params: ['AccountSid', 'CallSid'],
    query: PAGING,
    list: { component: 'TwilioCallEvent', key: 'events', style: '2010' },
  })
  async events(
    @Param('AccountSid') accountSid: string,
    @Param('CallSid') callSid: string,
    @Query() query: QueryParams,
  ) {
    const path = `${accountPath(accountSid)}/Calls/${callSid}/Events.json`;
    const request = parsePageRequest(query);
    await this.log.assertCall(accountSid, callSid, path);
    const rows = await this.log.page({
      accountSid,
      callSid,
      failedOnly: false,
      bounds: [],
      order: 'asc',
      request,
    });
    return buildPage({
      path,
      resourceKey: 'events',
      filters: {},
      request,
      rows,
      keyOf: logKey,
      serialize: serializeTwilioCallEvent,
    });
  }

  private async notifications(accountSid: string, callSid: string | null, query: QueryParams) {
    const path = callSid
      ? `${accountPath(accountSid)}/Calls/${callSid}/Notifications.json`
      : `${accountPath(accountSid)}/Notifications.json`;
    const request = parsePageRequest(query);
    const { filters, logLevel, bounds } = notificationFilters(query);
    if (callSid) await this.log.assertCall(accountSid, callSid, path);
    const rows = await this.log.page({
      accountSid,
      ...(callSid ? { callSid } : {}),
      failedOnly: true,
      ...(logLevel ? { logLevel } : {}),
      bounds,
      order: 'desc',
      request,
    });
    return buildPage({
      path,
      resourceKey: 'notifications',
      filters,
      request,
      rows,
      keyOf: logKey,
      serialize: (entry) => serializeNotification(entry, { instance: false }),
    });
  }
}

function notFound(path: string): ParleyError {
  return new ParleyError(20404, `The requested resource ${path} was not found`);
}

import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { ApiBasicAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ParleyError } from '@parley/contracts';
import { ApiAuthGuard } from '../auth/api-auth.guard';
import { filterTexts, type ListCommand, parseListQuery } from '../common/list-query';
import { buildPage } from '../common/paging';
import { type TimeBound } from '../common/time-filter';
import { accountPath, API_PREFIX } from '../common/twilio-format';
import { ApiDoc } from '../openapi/api-doc';
import { ListCallEventsQuery, ListNotificationsQuery } from './notifications.schemas';
import { serializeNotification, serializeTwilioCallEvent } from './request-log-views';
import { logKey, RequestLogService } from './request-log.service';

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
    query: ListNotificationsQuery,
    list: { component: 'Notification', key: 'notifications', style: '2010' },
  })
  async list(@Param('AccountSid') accountSid: string, @Query() query: unknown) {
    return this.notifications(accountSid, null, parseListQuery(ListNotificationsQuery, query));
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
    query: ListNotificationsQuery,
    list: { component: 'Notification', key: 'notifications', style: '2010' },
  })
  async listForCall(
    @Param('AccountSid') accountSid: string,
    @Param('CallSid') callSid: string,
    @Query() query: unknown,
  ) {
    return this.notifications(accountSid, callSid, parseListQuery(ListNotificationsQuery, query));
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
    query: ListCallEventsQuery,
    list: { component: 'TwilioCallEvent', key: 'events', style: '2010' },
  })
  async events(
    @Param('AccountSid') accountSid: string,
    @Param('CallSid') callSid: string,
    @Query() query: unknown,
  ) {
    const path = `${accountPath(accountSid)}/Calls/${callSid}/Events.json`;
    const request = parseListQuery(ListCallEventsQuery, query).page;
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

  private async notifications(
    accountSid: string,
    callSid: string | null,
    { page: request, filters }: ListCommand<typeof ListNotificationsQuery>,
  ) {
    const path = callSid
      ? `${accountPath(accountSid)}/Calls/${callSid}/Notifications.json`
      : `${accountPath(accountSid)}/Notifications.json`;
    const bounds: TimeBound[] = [
      filters.MessageDate,
      filters['MessageDate<'],
      filters['MessageDate>'],
    ].flatMap((f) => (f ? [f.bound] : []));
    const logLevel =
      filters.Log === undefined ? undefined : filters.Log === '0' ? 'error' : 'warning';
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
      filters: filterTexts(filters),
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

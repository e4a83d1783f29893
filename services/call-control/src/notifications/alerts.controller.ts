import { Controller, Get, Inject, Param, Query, Req, UseGuards } from '@nestjs/common';
import { ApiBasicAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ParleyError } from '@parley/contracts';
import { PARLEY_ENV } from '@parley/nest-kit';
import { ApiAuthGuard } from '../auth/api-auth.guard';
import { CurrentPrincipal, type ParleyRequest, type Principal } from '../auth/principal';
import { parseListQuery } from '../common/list-query';
import { buildPage } from '../common/paging';
import { publicBaseUrl } from '../common/public-url';
import { type TimeBound } from '../common/time-filter';
import { type CallControlEnv } from '../config/env.schema';
import { ApiDoc } from '../openapi/api-doc';
import { ListAlertsQuery } from './notifications.schemas';
import { serializeAlert } from './request-log-views';
import { logKey, RequestLogService } from './request-log.service';

const ALERTS_PATH = '/v1/Alerts';

/** Twilio's Monitor Alerts: the account's failed callback requests (the request log). */
@ApiTags('Monitor')
@ApiBasicAuth()
@UseGuards(ApiAuthGuard)
@Controller('v1/Alerts')
export class AlertsController {
  constructor(
    private readonly log: RequestLogService,
    @Inject(PARLEY_ENV) private readonly env: CallControlEnv,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List alerts, newest first' })
  @ApiDoc({
    query: ListAlertsQuery,
    list: { component: 'Alert', key: 'alerts', style: 'v2' },
  })
  async list(@CurrentPrincipal() p: Principal, @Query() query: unknown, @Req() req: ParleyRequest) {
    const baseUrl = publicBaseUrl(this.env, req);
    const { page: request, filters } = parseListQuery(ListAlertsQuery, query);
    const level = filters.LogLevel;
    const bounds: TimeBound[] = [];
    if (filters.StartDate) bounds.push({ from: filters.StartDate });
    if (filters.EndDate) bounds.push({ to: filters.EndDate });
    const rows =
      level === 'notice' || level === 'debug'
        ? []
        : await this.log.page({
            accountSid: p.accountSid,
            failedOnly: true,
            ...(level === 'error' || level === 'warning' ? { logLevel: level } : {}),
            bounds,
            order: 'desc',
            request,
          });
    const page = buildPage({
      path: ALERTS_PATH,
      resourceKey: 'alerts',
      filters: {
        LogLevel: filters.LogLevel,
        StartDate: filters.StartDate?.toISOString(),
        EndDate: filters.EndDate?.toISOString(),
      },
      request,
      rows,
      keyOf: logKey,
      serialize: (entry) => serializeAlert(entry, { instance: false, baseUrl }),
    });
    return {
      alerts: page.alerts,
      meta: {
        page: page.page,
        page_size: page.page_size,
        first_page_url: baseUrl + page.first_page_uri,
        previous_page_url: page.previous_page_uri ? baseUrl + page.previous_page_uri : null,
        url: baseUrl + page.uri,
        next_page_url: page.next_page_uri ? baseUrl + page.next_page_uri : null,
        key: 'alerts',
      },
    };
  }

  @Get(':Sid')
  @ApiOperation({ summary: 'Fetch an alert, with the request and the answer' })
  @ApiDoc({ params: ['Sid'], response: 'Alert' })
  async fetch(
    @CurrentPrincipal() p: Principal,
    @Param('Sid') sid: string,
    @Req() req: ParleyRequest,
  ) {
    const entry = await this.log.failure(p.accountSid, sid);
    if (!entry) {
      throw new ParleyError(20404, `The requested resource ${ALERTS_PATH}/${sid} was not found`);
    }
    return serializeAlert(entry, { instance: true, baseUrl: publicBaseUrl(this.env, req) });
  }
}

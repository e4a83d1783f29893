import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { ApiBasicAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAuthGuard } from '../auth/api-auth.guard';
import { PageQuery, parseListQuery } from '../common/list-query';
import { API_PREFIX } from '../common/twilio-format';
import { ApiDoc } from '../openapi/api-doc';
import { CallEventsService } from './call-events.service';

@ApiTags('Calls')
@ApiBasicAuth()
@UseGuards(ApiAuthGuard)
@Controller(`${API_PREFIX}/Accounts/:AccountSid`)
export class CallEventsController {
  constructor(private readonly events: CallEventsService) {}

  @Get('Calls/:CallSid/Timeline.json')
  @ApiOperation({
    summary:
      "Parley: a call's timeline, every transition and every Meta and service interaction, oldest first (Twilio's Events.json lists the requests made to the business)",
  })
  @ApiDoc({
    params: ['AccountSid', 'CallSid'],
    query: PageQuery,
    list: { component: 'CallEvent', key: 'events', style: '2010' },
  })
  async list(
    @Param('AccountSid') accountSid: string,
    @Param('CallSid') callSid: string,
    @Query() query: unknown,
  ) {
    return this.events.page(accountSid, callSid, parseListQuery(PageQuery, query).page);
  }
}

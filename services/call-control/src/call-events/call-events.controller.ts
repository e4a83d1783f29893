import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { ApiBasicAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAuthGuard } from '../auth/api-auth.guard';
import { parsePageRequest, type QueryParams } from '../common/paging';
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
    query: {
      PageSize: 'Records per page (1-1000, default 50)',
      Page: 'Page number',
      PageToken: 'Paging token',
    },
    list: { component: 'CallEvent', key: 'events', style: '2010' },
  })
  async list(
    @Param('AccountSid') accountSid: string,
    @Param('CallSid') callSid: string,
    @Query() query: QueryParams,
  ) {
    return this.events.page(accountSid, callSid, parsePageRequest(query));
  }
}

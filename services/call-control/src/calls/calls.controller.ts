import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBasicAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAuthGuard } from '../auth/api-auth.guard';
import { parseListQuery } from '../common/list-query';
import { API_PREFIX } from '../common/twilio-format';
import { ApiDoc } from '../openapi/api-doc';
import { parseForm } from '../common/twilio-form';
import { serializeCall } from './call.resource';
import { CreateCallForm, ListCallsQuery, UpdateCallForm } from './calls.schemas';
import { CallsService } from './calls.service';

@ApiTags('Calls')
@ApiBasicAuth()
@UseGuards(ApiAuthGuard)
@Controller(`${API_PREFIX}/Accounts/:AccountSid`)
export class CallsController {
  constructor(private readonly calls: CallsService) {}

  @Post('Calls.json')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Call a WhatsApp user from a WhatsApp sender (needs their call permission)',
  })
  @ApiDoc({ params: ['AccountSid'], form: CreateCallForm, response: 'Call', status: 201 })
  async create(@Param('AccountSid') accountSid: string, @Body() body: unknown) {
    return serializeCall(await this.calls.create(accountSid, parseForm(CreateCallForm, body)));
  }

  @Get('Calls.json')
  @ApiOperation({ summary: 'List calls, newest first' })
  @ApiDoc({
    params: ['AccountSid'],
    query: ListCallsQuery,
    list: { component: 'Call', key: 'calls', style: '2010' },
  })
  async list(@Param('AccountSid') accountSid: string, @Query() query: unknown) {
    return this.calls.list(accountSid, parseListQuery(ListCallsQuery, query));
  }

  @Get('Calls/:Sid.json')
  @ApiOperation({ summary: 'Fetch a call' })
  @ApiDoc({ params: ['AccountSid', 'Sid'], response: 'Call' })
  async fetch(@Param('AccountSid') accountSid: string, @Param('Sid') sid: string) {
    return serializeCall(await this.calls.get(accountSid, sid));
  }

  @Post('Calls/:Sid.json')
  @HttpCode(200)
  @ApiOperation({ summary: 'Redirect a call to new TwiML, or end it (Status=canceled|completed)' })
  @ApiDoc({ params: ['AccountSid', 'Sid'], form: UpdateCallForm, response: 'Call' })
  async update(
    @Param('AccountSid') accountSid: string,
    @Param('Sid') sid: string,
    @Body() body: unknown,
  ) {
    return serializeCall(await this.calls.update(accountSid, sid, parseForm(UpdateCallForm, body)));
  }
}

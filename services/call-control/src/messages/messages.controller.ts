import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBasicAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAuthGuard } from '../auth/api-auth.guard';
import { parseListQuery } from '../common/list-query';
import { API_PREFIX } from '../common/twilio-format';
import { parseForm } from '../common/twilio-form';
import { ApiDoc } from '../openapi/api-doc';
import { serializeMessage } from './message.resource';
import { CreateMessageForm, ListMessagesQuery } from './messages.schemas';
import { MessagesService } from './messages.service';

@ApiTags('Messages')
@ApiBasicAuth()
@UseGuards(ApiAuthGuard)
@Controller(`${API_PREFIX}/Accounts/:AccountSid`)
export class MessagesController {
  constructor(private readonly messages: MessagesService) {}

  @Post('Messages.json')
  @HttpCode(201)
  @ApiOperation({
    summary:
      'Send a WhatsApp message: a Content template (ContentSid) or session text (Body) within the 24-hour window',
  })
  @ApiDoc({ params: ['AccountSid'], form: CreateMessageForm, response: 'Message', status: 201 })
  async create(@Param('AccountSid') accountSid: string, @Body() body: unknown) {
    return serializeMessage(
      await this.messages.create(accountSid, parseForm(CreateMessageForm, body)),
    );
  }

  @Get('Messages.json')
  @ApiOperation({ summary: 'List messages, newest first' })
  @ApiDoc({
    params: ['AccountSid'],
    query: ListMessagesQuery,
    list: { component: 'Message', key: 'messages', style: '2010' },
  })
  async list(@Param('AccountSid') accountSid: string, @Query() query: unknown) {
    return this.messages.list(accountSid, parseListQuery(ListMessagesQuery, query));
  }

  @Get('Messages/:Sid.json')
  @ApiOperation({ summary: 'Fetch a message' })
  @ApiDoc({ params: ['AccountSid', 'Sid'], response: 'Message' })
  async fetch(@Param('AccountSid') accountSid: string, @Param('Sid') sid: string) {
    return serializeMessage(await this.messages.get(accountSid, sid));
  }
}

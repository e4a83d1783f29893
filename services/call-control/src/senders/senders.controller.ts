import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  Req,
  UseGuards,
} from '@nestjs/common';
import { ApiBasicAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PARLEY_ENV } from '@parley/nest-kit';
import { ApiAuthGuard } from '../auth/api-auth.guard';
import { CurrentPrincipal, type ParleyRequest, type Principal } from '../auth/principal';
import { parseListQuery } from '../common/list-query';
import { publicBaseUrl } from '../common/public-url';
import { type CallControlEnv } from '../config/env.schema';
import { ApiDoc } from '../openapi/api-doc';
import { parseJsonBody } from '../common/twilio-form';
import { serializeSender } from './sender.resource';
import { ListSendersQuery, SenderCreateBody, SenderUpdateBody } from './senders.schemas';
import { SendersService } from './senders.service';

@ApiTags('WhatsApp senders')
@ApiBasicAuth()
@UseGuards(ApiAuthGuard)
@Controller('v2/Channels/Senders')
export class SendersController {
  constructor(
    private readonly senders: SendersService,
    @Inject(PARLEY_ENV) private readonly env: CallControlEnv,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Register a WhatsApp sender (its Meta number and credentials)' })
  @ApiDoc({ json: SenderCreateBody, response: 'Sender', status: 201 })
  async create(@CurrentPrincipal() p: Principal, @Body() body: unknown, @Req() req: ParleyRequest) {
    return serializeSender(
      await this.senders.create(p.accountSid, parseJsonBody(SenderCreateBody, body)),
      publicBaseUrl(this.env, req),
    );
  }

  @Get()
  @ApiOperation({ summary: 'List WhatsApp senders' })
  @ApiDoc({
    query: ListSendersQuery,
    list: { component: 'Sender', key: 'senders', style: 'v2' },
  })
  async list(@CurrentPrincipal() p: Principal, @Query() query: unknown, @Req() req: ParleyRequest) {
    return this.senders.list(
      p.accountSid,
      parseListQuery(ListSendersQuery, query).page,
      publicBaseUrl(this.env, req),
    );
  }

  @Get(':Sid')
  @ApiOperation({ summary: 'Fetch a WhatsApp sender' })
  @ApiDoc({ params: ['Sid'], response: 'Sender' })
  async fetch(
    @CurrentPrincipal() p: Principal,
    @Param('Sid') sid: string,
    @Req() req: ParleyRequest,
  ) {
    return serializeSender(await this.senders.get(p.accountSid, sid), publicBaseUrl(this.env, req));
  }

  @Post(':Sid')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Update a WhatsApp sender; configuration.voice_application_sid turns calling on (an AP sid) or off (null)',
  })
  @ApiDoc({ params: ['Sid'], json: SenderUpdateBody, response: 'Sender' })
  async update(
    @CurrentPrincipal() p: Principal,
    @Param('Sid') sid: string,
    @Body() body: unknown,
    @Req() req: ParleyRequest,
  ) {
    return serializeSender(
      await this.senders.update(p.accountSid, sid, parseJsonBody(SenderUpdateBody, body)),
      publicBaseUrl(this.env, req),
    );
  }

  @Delete(':Sid')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a WhatsApp sender (turns calling off at Meta)' })
  @ApiDoc({ params: ['Sid'], noContent: true })
  async remove(@CurrentPrincipal() p: Principal, @Param('Sid') sid: string): Promise<void> {
    await this.senders.delete(p.accountSid, sid);
  }
}

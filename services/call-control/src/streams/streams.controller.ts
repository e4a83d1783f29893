import { Body, Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBasicAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAuthGuard } from '../auth/api-auth.guard';
import { parseForm } from '../common/twilio-form';
import { API_PREFIX } from '../common/twilio-format';
import { ApiDoc } from '../openapi/api-doc';
import { serializeStream } from './stream.resource';
import { CreateStreamForm, UpdateStreamForm } from './streams.schemas';
import { StreamsService } from './streams.service';

@ApiTags('Streams')
@ApiBasicAuth()
@UseGuards(ApiAuthGuard)
@Controller(`${API_PREFIX}/Accounts/:AccountSid`)
export class StreamsController {
  constructor(private readonly streams: StreamsService) {}

  @Post('Calls/:CallSid/Streams.json')
  @HttpCode(201)
  @ApiOperation({ summary: 'Start a (listen-only) Media Stream on an in-progress call' })
  @ApiDoc({
    params: ['AccountSid', 'CallSid'],
    form: CreateStreamForm,
    response: 'Stream',
    status: 201,
  })
  async create(
    @Param('AccountSid') accountSid: string,
    @Param('CallSid') callSid: string,
    @Body() body: unknown,
  ) {
    const row = await this.streams.createByApi(
      accountSid,
      callSid,
      parseForm(CreateStreamForm, body),
    );
    return serializeStream(row);
  }

  @Post('Calls/:CallSid/Streams/:Sid.json')
  @HttpCode(200)
  @ApiOperation({ summary: 'Stop a Media Stream (Status=stopped), by its sid or its name' })
  @ApiDoc({ params: ['AccountSid', 'CallSid', 'Sid'], form: UpdateStreamForm, response: 'Stream' })
  async update(
    @Param('AccountSid') accountSid: string,
    @Param('CallSid') callSid: string,
    @Param('Sid') sid: string,
    @Body() body: unknown,
  ) {
    const row = await this.streams.stopByApi(
      accountSid,
      callSid,
      sid,
      parseForm(UpdateStreamForm, body),
    );
    return serializeStream(row);
  }
}

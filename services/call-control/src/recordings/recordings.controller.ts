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
  StreamableFile,
  UseGuards,
} from '@nestjs/common';
import { ApiBasicAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { ParleyError } from '@parley/contracts';
import { PARLEY_ENV } from '@parley/nest-kit';
import { type Request } from 'express';
import { ApiAuthGuard } from '../auth/api-auth.guard';
import { parseListQuery } from '../common/list-query';
import { publicBaseUrl } from '../common/public-url';
import { API_PREFIX } from '../common/twilio-format';
import { type CallControlEnv } from '../config/env.schema';
import { ApiDoc } from '../openapi/api-doc';
import { parseForm } from '../common/twilio-form';
import { serializeRecording } from './recording.resource';
import {
  ListCallRecordingsQuery,
  ListRecordingsQuery,
  StartRecordingForm,
  UpdateRecordingForm,
} from './recordings.schemas';
import { RecordingsService } from './recordings.service';

@ApiTags('Recordings')
@ApiBasicAuth()
@UseGuards(ApiAuthGuard)
@Controller(`${API_PREFIX}/Accounts/:AccountSid`)
export class RecordingsController {
  constructor(
    private readonly recordings: RecordingsService,
    @Inject(PARLEY_ENV) private readonly env: CallControlEnv,
  ) {}

  // ---- a call's recordings -----------------------------------------------------------------

  @Post('Calls/:CallSid/Recordings.json')
  @HttpCode(201)
  @ApiOperation({ summary: 'Start recording an in-progress call' })
  @ApiDoc({
    params: ['AccountSid', 'CallSid'],
    form: StartRecordingForm,
    response: 'Recording',
    status: 201,
  })
  async start(
    @Param('AccountSid') accountSid: string,
    @Param('CallSid') callSid: string,
    @Body() body: unknown,
    @Req() req: Request,
  ) {
    const row = await this.recordings.startByApi(
      accountSid,
      callSid,
      parseForm(StartRecordingForm, body),
    );
    return serializeRecording(row, publicBaseUrl(this.env, req));
  }

  @Get('Calls/:CallSid/Recordings.json')
  @ApiOperation({ summary: "List a call's recordings, newest first" })
  @ApiDoc({
    params: ['AccountSid', 'CallSid'],
    query: ListCallRecordingsQuery,
    list: { component: 'Recording', key: 'recordings', style: '2010' },
  })
  async listOfCall(
    @Param('AccountSid') accountSid: string,
    @Param('CallSid') callSid: string,
    @Query() query: unknown,
    @Req() req: Request,
  ) {
    return this.recordings.list(
      accountSid,
      parseListQuery(ListCallRecordingsQuery, query),
      publicBaseUrl(this.env, req),
      callSid,
    );
  }

  @Get('Calls/:CallSid/Recordings/:Sid.json')
  @ApiOperation({ summary: "Fetch one of a call's recordings" })
  @ApiDoc({ params: ['AccountSid', 'CallSid', 'Sid'], response: 'Recording' })
  async fetchOfCall(
    @Param('AccountSid') accountSid: string,
    @Param('CallSid') callSid: string,
    @Param('Sid') sid: string,
    @Req() req: Request,
  ) {
    const row = await this.recordings.get(accountSid, sid, callSid);
    return serializeRecording(row, publicBaseUrl(this.env, req));
  }

  @Post('Calls/:CallSid/Recordings/:Sid.json')
  @HttpCode(200)
  @ApiOperation({ summary: 'Stop a recording (Status=stopped); pausing is not supported' })
  @ApiDoc({
    params: ['AccountSid', 'CallSid', 'Sid'],
    form: UpdateRecordingForm,
    response: 'Recording',
  })
  async update(
    @Param('AccountSid') accountSid: string,
    @Param('CallSid') callSid: string,
    @Param('Sid') sid: string,
    @Body() body: unknown,
    @Req() req: Request,
  ) {
    const row = await this.recordings.stopByApi(
      accountSid,
      callSid,
      sid,
      parseForm(UpdateRecordingForm, body),
    );
    return serializeRecording(row, publicBaseUrl(this.env, req));
  }

  @Delete('Calls/:CallSid/Recordings/:Sid.json')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a recording and its audio' })
  @ApiDoc({ params: ['AccountSid', 'CallSid', 'Sid'], noContent: true })
  async deleteOfCall(
    @Param('AccountSid') accountSid: string,
    @Param('CallSid') callSid: string,
    @Param('Sid') sid: string,
  ): Promise<void> {
    await this.recordings.delete(accountSid, sid, callSid);
  }

  // ---- the account's recordings ------------------------------------------------------------

  @Get('Recordings.json')
  @ApiOperation({ summary: 'List recordings, newest first' })
  @ApiDoc({
    params: ['AccountSid'],
    query: ListRecordingsQuery,
    list: { component: 'Recording', key: 'recordings', style: '2010' },
  })
  async list(
    @Param('AccountSid') accountSid: string,
    @Query() query: unknown,
    @Req() req: Request,
  ) {
    return this.recordings.list(
      accountSid,
      parseListQuery(ListRecordingsQuery, query),
      publicBaseUrl(this.env, req),
    );
  }

  @Get('Recordings/:Sid.json')
  @ApiOperation({ summary: 'Fetch a recording' })
  @ApiDoc({ params: ['AccountSid', 'Sid'], response: 'Recording' })
  async fetch(
    @Param('AccountSid') accountSid: string,
    @Param('Sid') sid: string,
    @Req() req: Request,
  ) {
    return serializeRecording(
      await this.recordings.get(accountSid, sid),
      publicBaseUrl(this.env, req),
    );
  }

  @Delete('Recordings/:Sid.json')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a recording and its audio' })
  @ApiDoc({ params: ['AccountSid', 'Sid'], noContent: true })
  async delete(@Param('AccountSid') accountSid: string, @Param('Sid') sid: string): Promise<void> {
    await this.recordings.delete(accountSid, sid);
  }

  @Get('Recordings/:Sid.mp3')
  @ApiOperation({ summary: 'Not available: recordings are kept as WAV only' })
  @ApiDoc({ params: ['AccountSid', 'Sid'] })
  async mp3(@Param('AccountSid') accountSid: string, @Param('Sid') sid: string): Promise<never> {
    await this.recordings.get(accountSid, sid); // 404 first for a recording that is not there
    throw new ParleyError(20001, 'Recordings are available as WAV only: fetch the .wav');
  }

  @Get('Recordings/:Sid.wav')
  @ApiOperation({ summary: "The recording's audio (WAV, 16-bit PCM)" })
  @ApiProduces('audio/x-wav')
  @ApiDoc({ params: ['AccountSid', 'Sid'] })
  async wav(@Param('AccountSid') accountSid: string, @Param('Sid') sid: string) {
    return this.media(accountSid, sid);
  }

  /** Twilio's `media_url` has no extension and gives WAV. Declared last: it matches any. */
  @Get('Recordings/:Sid')
  @ApiOperation({ summary: "The recording's audio (WAV), as media_url gives it" })
  @ApiProduces('audio/x-wav')
  @ApiDoc({ params: ['AccountSid', 'Sid'] })
  async mediaUrl(@Param('AccountSid') accountSid: string, @Param('Sid') sid: string) {
    return this.media(accountSid, sid);
  }

  private async media(accountSid: string, sid: string): Promise<StreamableFile> {
    const stream = await this.recordings.openMedia(accountSid, sid);
    return new StreamableFile(stream, {
      type: 'audio/x-wav',
      disposition: `inline; filename="${sid}.wav"`,
    });
  }
}

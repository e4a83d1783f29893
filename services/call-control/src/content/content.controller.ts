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
import { PageQuery, parseListQuery } from '../common/list-query';
import { publicBaseUrl } from '../common/public-url';
import { parseJsonBody } from '../common/twilio-form';
import { type CallControlEnv } from '../config/env.schema';
import { ApiDoc } from '../openapi/api-doc';
import { serializeContent } from './content.resource';
import { ContentCreateBody, normalizeContentBody } from './content.schemas';
import { ContentService } from './content.service';

@ApiTags('Content')
@ApiBasicAuth()
@UseGuards(ApiAuthGuard)
@Controller('v1/Content')
export class ContentController {
  constructor(
    private readonly contents: ContentService,
    @Inject(PARLEY_ENV) private readonly env: CallControlEnv,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary:
      'Create a Content template (twilio/text, twilio/call-to-action with VOICE_CALL_REQUEST or VOICE_CALL, twilio/card)',
  })
  @ApiDoc({ json: ContentCreateBody, response: 'Content', status: 201 })
  async create(@CurrentPrincipal() p: Principal, @Body() body: unknown, @Req() req: ParleyRequest) {
    return serializeContent(
      await this.contents.create(
        p.accountSid,
        parseJsonBody(ContentCreateBody, normalizeContentBody(body)),
      ),
      publicBaseUrl(this.env, req),
    );
  }

  @Get()
  @ApiOperation({ summary: 'List Content templates, newest first' })
  @ApiDoc({
    query: PageQuery,
    list: { component: 'Content', key: 'contents', style: 'v2' },
  })
  async list(@CurrentPrincipal() p: Principal, @Query() query: unknown, @Req() req: ParleyRequest) {
    return this.contents.list(
      p.accountSid,
      parseListQuery(PageQuery, query).page,
      publicBaseUrl(this.env, req),
    );
  }

  @Get(':Sid')
  @ApiOperation({ summary: 'Fetch a Content template' })
  @ApiDoc({ params: ['Sid'], response: 'Content' })
  async fetch(
    @CurrentPrincipal() p: Principal,
    @Param('Sid') sid: string,
    @Req() req: ParleyRequest,
  ) {
    return serializeContent(
      await this.contents.get(p.accountSid, sid),
      publicBaseUrl(this.env, req),
    );
  }

  @Delete(':Sid')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a Content template (messages already sent keep their text)' })
  @ApiDoc({ params: ['Sid'], noContent: true })
  async remove(@CurrentPrincipal() p: Principal, @Param('Sid') sid: string): Promise<void> {
    await this.contents.delete(p.accountSid, sid);
  }
}

import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import { ApiBasicAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ParleyError } from '@parley/contracts';
import { ApiAuthGuard } from '../auth/api-auth.guard';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { PageQuery, parseListQuery } from '../common/list-query';
import { parseForm } from '../common/twilio-form';
import { API_PREFIX } from '../common/twilio-format';
import { ApiDoc } from '../openapi/api-doc';
import { serializeApiKey } from './api-key.serializer';
import { KeyForm } from './api-keys.schemas';
import { ApiKeysService } from './api-keys.service';

/** Only the account's own credential manages keys (a key cannot mint or revoke keys). */
function assertAccountCredential(principal: Principal): void {
  if (principal.via !== 'account') {
    throw new ParleyError(20003, 'API keys cannot manage API keys: use the account auth token', {
      status: 403,
    });
  }
}

@ApiTags('API keys')
@ApiBasicAuth()
@UseGuards(ApiAuthGuard)
@Controller(`${API_PREFIX}/Accounts/:AccountSid`)
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post('Keys.json')
  @HttpCode(201)
  @ApiOperation({ summary: 'Create an API key; its secret is shown once, in this answer' })
  @ApiDoc({ params: ['AccountSid'], form: KeyForm, response: 'Key', status: 201 })
  async create(
    @Param('AccountSid') accountSid: string,
    @CurrentPrincipal() principal: Principal,
    @Body() body: unknown,
  ) {
    assertAccountCredential(principal);
    const { FriendlyName } = parseForm(KeyForm, body);
    const created = await this.keys.create(accountSid, FriendlyName ?? '');
    return serializeApiKey(created.key, created.secret);
  }

  @Get('Keys.json')
  @ApiOperation({ summary: 'List API keys (secrets are never shown again)' })
  @ApiDoc({
    params: ['AccountSid'],
    query: PageQuery,
    list: { component: 'Key', key: 'keys', style: '2010' },
  })
  async list(@Param('AccountSid') accountSid: string, @Query() query: unknown) {
    return this.keys.page(accountSid, parseListQuery(PageQuery, query).page);
  }

  @Get('Keys/:Sid.json')
  @ApiOperation({ summary: 'Fetch an API key' })
  @ApiDoc({ params: ['AccountSid', 'Sid'], response: 'Key' })
  async fetch(@Param('AccountSid') accountSid: string, @Param('Sid') sid: string) {
    return serializeApiKey(await this.keys.get(accountSid, sid));
  }

  @Post('Keys/:Sid.json')
  @HttpCode(200)
  @ApiOperation({ summary: 'Rename an API key' })
  @ApiDoc({ params: ['AccountSid', 'Sid'], form: KeyForm, response: 'Key' })
  async update(
    @Param('AccountSid') accountSid: string,
    @Param('Sid') sid: string,
    @CurrentPrincipal() principal: Principal,
    @Body() body: unknown,
  ) {
    assertAccountCredential(principal);
    const { FriendlyName } = parseForm(KeyForm, body);
    return serializeApiKey(await this.keys.update(accountSid, sid, FriendlyName ?? ''));
  }

  @Delete('Keys/:Sid.json')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke an API key' })
  @ApiDoc({ params: ['AccountSid', 'Sid'], noContent: true })
  async remove(
    @Param('AccountSid') accountSid: string,
    @Param('Sid') sid: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<void> {
    assertAccountCredential(principal);
    await this.keys.delete(accountSid, sid);
  }
}

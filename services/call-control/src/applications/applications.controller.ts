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
import { ApiAuthGuard } from '../auth/api-auth.guard';
import { parseListQuery } from '../common/list-query';
import { parseForm } from '../common/twilio-form';
import { API_PREFIX } from '../common/twilio-format';
import { ApiDoc } from '../openapi/api-doc';
import { serializeApplication } from './application.resource';
import { ApplicationForm, ListApplicationsQuery } from './applications.schemas';
import { ApplicationsService } from './applications.service';

@ApiTags('Applications')
@ApiBasicAuth()
@UseGuards(ApiAuthGuard)
@Controller(`${API_PREFIX}/Accounts/:AccountSid`)
export class ApplicationsController {
  constructor(private readonly apps: ApplicationsService) {}

  @Post('Applications.json')
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a TwiML application' })
  @ApiDoc({ params: ['AccountSid'], form: ApplicationForm, response: 'Application', status: 201 })
  async create(@Param('AccountSid') accountSid: string, @Body() body: unknown) {
    return serializeApplication(
      await this.apps.create(accountSid, parseForm(ApplicationForm, body)),
    );
  }

  @Get('Applications.json')
  @ApiOperation({ summary: 'List TwiML applications' })
  @ApiDoc({
    params: ['AccountSid'],
    query: ListApplicationsQuery,
    list: { component: 'Application', key: 'applications', style: '2010' },
  })
  async list(@Param('AccountSid') accountSid: string, @Query() query: unknown) {
    return this.apps.list(accountSid, parseListQuery(ListApplicationsQuery, query));
  }

  @Get('Applications/:Sid.json')
  @ApiOperation({ summary: 'Fetch a TwiML application' })
  @ApiDoc({ params: ['AccountSid', 'Sid'], response: 'Application' })
  async fetch(@Param('AccountSid') accountSid: string, @Param('Sid') sid: string) {
    return serializeApplication(await this.apps.get(accountSid, sid));
  }

  @Post('Applications/:Sid.json')
  @HttpCode(200)
  @ApiOperation({ summary: 'Update a TwiML application' })
  @ApiDoc({ params: ['AccountSid', 'Sid'], form: ApplicationForm, response: 'Application' })
  async update(
    @Param('AccountSid') accountSid: string,
    @Param('Sid') sid: string,
    @Body() body: unknown,
  ) {
    return serializeApplication(
      await this.apps.update(accountSid, sid, parseForm(ApplicationForm, body)),
    );
  }

  @Delete('Applications/:Sid.json')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a TwiML application' })
  @ApiDoc({ params: ['AccountSid', 'Sid'], noContent: true })
  async remove(@Param('AccountSid') accountSid: string, @Param('Sid') sid: string): Promise<void> {
    await this.apps.delete(accountSid, sid);
  }
}

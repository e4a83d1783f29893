import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { ApiBasicAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAuthGuard } from '../auth/api-auth.guard';
import { API_PREFIX } from '../common/twilio-format';
import { parseForm } from '../common/twilio-form';
import { ApiDoc } from '../openapi/api-doc';
import { FetchCallPermissionQuery } from './call-permissions.schemas';
import { CallPermissionsService } from './call-permissions.service';

@ApiTags('CallPermissions')
@ApiBasicAuth()
@UseGuards(ApiAuthGuard)
@Controller(`${API_PREFIX}/Accounts/:AccountSid`)
export class CallPermissionsController {
  constructor(private readonly permissions: CallPermissionsService) {}

  @Get('CallPermissions/:To.json')
  @ApiOperation({
    summary:
      "A WhatsApp user's call permission for a sender: status, expiry, remaining calls and requests, and the rule that would refuse the next call (Parley extension)",
  })
  @ApiDoc({
    params: ['AccountSid', 'To'],
    query: FetchCallPermissionQuery,
    response: 'CallPermission',
  })
  fetch(
    @Param('AccountSid') accountSid: string,
    @Param('To') to: string,
    @Query() query: Record<string, unknown>,
  ) {
    return this.permissions.fetch(
      accountSid,
      parseForm(FetchCallPermissionQuery, { ...query, To: to }),
    );
  }
}

import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { ApiBasicAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAuthGuard } from '../auth/api-auth.guard';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { API_PREFIX } from '../common/twilio-format';
import { ApiDoc } from '../openapi/api-doc';
import { serializeAccount } from './account.serializer';
import { AccountsService } from './accounts.service';

@ApiTags('Accounts')
@ApiBasicAuth()
@UseGuards(ApiAuthGuard)
@Controller(API_PREFIX)
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

  @Get('Accounts/:AccountSid.json')
  @ApiOperation({ summary: 'Fetch the authenticated account' })
  @ApiDoc({ response: 'Account', params: ['AccountSid'] })
  async fetch(@Param('AccountSid') sid: string, @CurrentPrincipal() principal: Principal) {
    const account = await this.accounts.get(sid);
    // Twilio shows the auth token only to the account's own credentials, never to a key.
    return serializeAccount(
      account,
      principal.via === 'account' ? this.accounts.authToken(account) : null,
    );
  }
}

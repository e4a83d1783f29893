import { Controller } from '@nestjs/common';
import { type CommandReply, type CommandRequest } from '@parley/contracts';
import { CommandHandler, CommandPayload } from '@parley/nest-kit';
import { AccountsService } from './accounts.service';

/**
 * Gives the interpreter an account's auth token so it can sign the requests it makes for
 * the account (`X-Twilio-Signature`). Only call-control holds the token (sealed); the
 * reply travels over the service bus only and is never logged.
 */
@Controller()
export class AccountSigningKeyController {
  constructor(private readonly accounts: AccountsService) {}

  @CommandHandler('calls.v1.account.signing-key')
  async signingKey(
    @CommandPayload('calls.v1.account.signing-key')
    req: CommandRequest<'calls.v1.account.signing-key'>,
  ): Promise<CommandReply<'calls.v1.account.signing-key'>> {
    const account = await this.accounts.get(req.accountSid);
    return { accountSid: req.accountSid, authToken: this.accounts.authToken(account) };
  }
}

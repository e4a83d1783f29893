import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { PARLEY_ENV, PARLEY_LOGGER, type ParleyLogger } from '@parley/nest-kit';
import { type CallControlEnv } from '../config/env.schema';
import { AccountsService } from './accounts.service';

export const DEV_ACCOUNT_NAME = 'Development';

/** Ensures the account named by PARLEY_DEV_ACCOUNT_SID / PARLEY_DEV_AUTH_TOKEN at boot. */
@Injectable()
export class DevAccountBootstrap implements OnApplicationBootstrap {
  constructor(
    @Inject(PARLEY_ENV) private readonly env: CallControlEnv,
    @Inject(PARLEY_LOGGER) private readonly logger: ParleyLogger,
    private readonly accounts: AccountsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const sid = this.env.PARLEY_DEV_ACCOUNT_SID;
    const authToken = this.env.PARLEY_DEV_AUTH_TOKEN;
    if (!sid || !authToken) return;
    const outcome = await this.accounts.ensure({ sid, authToken, friendlyName: DEV_ACCOUNT_NAME });
    this.logger.info({ accountSid: sid, outcome }, 'development account ensured');
  }
}

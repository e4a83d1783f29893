import { Injectable } from '@nestjs/common';
import { ParleyError } from '@parley/contracts';
import { AccountsService } from '../accounts/accounts.service';
import { ApiKeysService } from '../api-keys/api-keys.service';
import { credentialKind, parseBasicAuth } from './basic-auth';
import { type Principal } from './principal';

export class AuthenticationError extends ParleyError {
  constructor(message = 'Authenticate') {
    super(20003, message);
  }
}

/**
 * Twilio's HTTP Basic auth: username is the AccountSid with the auth token as password, or
 * an API key sid with its secret. Every failure looks the same from outside.
 */
@Injectable()
export class AuthService {
  constructor(
    private readonly accounts: AccountsService,
    private readonly keys: ApiKeysService,
  ) {}

  async authenticate(header: string | string[] | undefined): Promise<Principal> {
    const creds = parseBasicAuth(header);
    if (!creds) throw new AuthenticationError();
    const kind = credentialKind(creds.username);
    if (kind === 'account') {
      const account = await this.accounts.verifyAuthToken(creds.username, creds.password);
      if (!account) throw new AuthenticationError();
      if (account.status !== 'active') throw new AuthenticationError('Account is not active');
      return { accountSid: account.sid, via: 'account', keySid: null };
    }
    if (kind === 'api-key') {
      const accountSid = await this.keys.verify(creds.username, creds.password);
      if (!accountSid) throw new AuthenticationError();
      const account = await this.accounts.find(accountSid);
      if (account?.status !== 'active') throw new AuthenticationError('Account is not active');
      return { accountSid, via: 'api-key', keySid: creds.username };
    }
    throw new AuthenticationError();
  }
}

import { Injectable } from '@nestjs/common';
import { AccountsService } from '../accounts/accounts.service';
import { type CredentialOwner, type CredentialStore } from '../auth/credential-store';
import { ApiKeysService } from './api-keys.service';

/** auth's CredentialStore over the accounts' auth tokens and the API keys. */
@Injectable()
export class StoredCredentials implements CredentialStore {
  constructor(
    private readonly accounts: AccountsService,
    private readonly keys: ApiKeysService,
  ) {}

  async ownerOfAuthToken(accountSid: string, authToken: string): Promise<CredentialOwner | null> {
    const account = await this.accounts.verifyAuthToken(accountSid, authToken);
    return account ? { accountSid: account.sid, active: account.status === 'active' } : null;
  }

  async ownerOfApiKey(keySid: string, secret: string): Promise<CredentialOwner | null> {
    const accountSid = await this.keys.verify(keySid, secret);
    if (!accountSid) return null;
    const account = await this.accounts.find(accountSid);
    return { accountSid, active: account?.status === 'active' };
  }
}

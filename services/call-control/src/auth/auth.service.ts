import { Inject, Injectable } from '@nestjs/common';
import { ParleyError } from '@parley/contracts';
import { credentialKind, parseBasicAuth } from './basic-auth';
import { CREDENTIAL_STORE, type CredentialOwner, type CredentialStore } from './credential-store';
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
  constructor(@Inject(CREDENTIAL_STORE) private readonly credentials: CredentialStore) {}

  async authenticate(header: string | string[] | undefined): Promise<Principal> {
    const creds = parseBasicAuth(header);
    if (!creds) throw new AuthenticationError();
    const kind = credentialKind(creds.username);
    if (kind === 'account') {
      const owner = await this.credentials.ownerOfAuthToken(creds.username, creds.password);
      return principal(owner, 'account', null);
    }
    if (kind === 'api-key') {
      const owner = await this.credentials.ownerOfApiKey(creds.username, creds.password);
      return principal(owner, 'api-key', creds.username);
    }
    throw new AuthenticationError();
  }
}

function principal(
  owner: CredentialOwner | null,
  via: Principal['via'],
  keySid: string | null,
): Principal {
  if (!owner) throw new AuthenticationError();
  if (!owner.active) throw new AuthenticationError('Account is not active');
  return { accountSid: owner.accountSid, via, keySid };
}

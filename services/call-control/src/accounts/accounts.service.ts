import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { newSid, ParleyError } from '@parley/contracts';
import { type Repository } from 'typeorm';
import { SecretBox, secretContext } from '../secrets/secret-box';
import { newAuthToken, safeEqual } from '../secrets/secret-hash';
import { AccountEntity } from './account.entity';

export interface CreatedAccount {
  account: AccountEntity;
  /** Shown to whoever created the account; stored only sealed. */
  authToken: string;
}

/** Accounts (tenants) and their auth tokens. Used by the API and by the admin CLI. */
@Injectable()
export class AccountsService {
  constructor(
    @InjectRepository(AccountEntity) private readonly accounts: Repository<AccountEntity>,
    private readonly box: SecretBox,
  ) {}

  async create(opts: {
    friendlyName: string;
    sid?: string;
    authToken?: string;
  }): Promise<CreatedAccount> {
    const sid = opts.sid ?? newSid('AC');
    const authToken = opts.authToken ?? newAuthToken();
    const account = this.accounts.create({
      sid,
      friendlyName: opts.friendlyName.slice(0, 64),
      status: 'active',
      authTokenSealed: this.box.encrypt(authToken, secretContext.authToken(sid)),
    });
    await this.accounts.insert(account);
    return { account: await this.get(sid), authToken };
  }

  /**
   * Makes sure an account with this sid and auth token exists (the development account
   * from the environment). Idempotent; a changed token replaces the stored one.
   */
  async ensure(opts: {
    sid: string;
    authToken: string;
    friendlyName: string;
  }): Promise<'created' | 'updated' | 'unchanged'> {
    const existing = await this.accounts.findOneBy({ sid: opts.sid });
    if (!existing) {
      try {
        await this.create(opts);
        return 'created';
      } catch (error) {
        // Another replica created it at the same moment.
        if (!(await this.accounts.existsBy({ sid: opts.sid }))) throw error;
        return 'unchanged';
      }
    }
    if (safeEqual(this.authToken(existing), opts.authToken)) return 'unchanged';
    await this.accounts.update(
      { sid: opts.sid },
      { authTokenSealed: this.box.encrypt(opts.authToken, secretContext.authToken(opts.sid)) },
    );
    return 'updated';
  }

  async get(sid: string): Promise<AccountEntity> {
    const account = await this.accounts.findOneBy({ sid });
    if (!account)
      throw new ParleyError(
        20404,
        `The requested resource /2010-04-01/Accounts/${sid}.json was not found`,
      );
    return account;
  }

  find(sid: string): Promise<AccountEntity | null> {
    return this.accounts.findOneBy({ sid });
  }

  list(): Promise<AccountEntity[]> {
    return this.accounts.find({ order: { dateCreated: 'ASC', sid: 'ASC' } });
  }

  findByFriendlyName(friendlyName: string): Promise<AccountEntity | null> {
    return this.accounts.findOne({ where: { friendlyName }, order: { dateCreated: 'ASC' } });
  }

  /** The auth token in clear, for signing webhooks and for showing to an operator. */
  authToken(account: AccountEntity): string {
    return this.box.decrypt(account.authTokenSealed, secretContext.authToken(account.sid));
  }

  /** The account if `authToken` is its token (constant-time), else null. */
  async verifyAuthToken(sid: string, authToken: string): Promise<AccountEntity | null> {
    const account = await this.accounts.findOneBy({ sid });
    if (!account) return null;
    return safeEqual(this.authToken(account), authToken) ? account : null;
  }

  async rotateAuthToken(sid: string): Promise<string> {
    await this.get(sid);
    const authToken = newAuthToken();
    await this.accounts.update(
      { sid },
      { authTokenSealed: this.box.encrypt(authToken, secretContext.authToken(sid)) },
    );
    return authToken;
  }
}

import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { newSid, ParleyError } from '@parley/contracts';
import { type Repository } from 'typeorm';
import { applyKeyset, buildPage, type PageRequest, type TwilioPage } from '../common/paging';
import { hashSecret, newKeySecret, verifySecret } from '../secrets/secret-hash';
import { serializeApiKey } from './api-key.serializer';
import { ApiKeyEntity } from './api-key.entity';

/** Verified key secrets are remembered this long, so scrypt does not run per request. */
const VERIFIED_TTL_MS = 60_000;

export interface CreatedApiKey {
  key: ApiKeyEntity;
  /** Shown once; only its scrypt hash is stored. */
  secret: string;
}

@Injectable()
export class ApiKeysService {
  /** keySid -> digest of the verified secret, the hash it matched and when to forget it. */
  private readonly verified = new Map<
    string,
    { digest: string; secretHash: string; until: number }
  >();

  constructor(@InjectRepository(ApiKeyEntity) private readonly keys: Repository<ApiKeyEntity>) {}

  async create(accountSid: string, friendlyName = ''): Promise<CreatedApiKey> {
    const secret = newKeySecret();
    const key = this.keys.create({
      sid: newSid('SK'),
      accountSid,
      friendlyName: friendlyName.slice(0, 64),
      secretHash: await hashSecret(secret),
    });
    await this.keys.insert(key);
    return { key: await this.get(accountSid, key.sid), secret };
  }

  async page(accountSid: string, request: PageRequest): Promise<TwilioPage> {
    const qb = this.keys
      .createQueryBuilder('k')
      .where('k.account_sid = :accountSid', { accountSid });
    const rows = await applyKeyset(qb, [{ expr: 'k.sid' }], 'ASC', request).getMany();
    return buildPage({
      path: `/2010-04-01/Accounts/${accountSid}/Keys.json`,
      resourceKey: 'keys',
      filters: {},
      request,
      rows,
      keyOf: (k) => [k.sid],
      serialize: (k) => serializeApiKey(k),
    });
  }

  list(accountSid: string): Promise<ApiKeyEntity[]> {
    return this.keys.find({ where: { accountSid }, order: { dateCreated: 'ASC', sid: 'ASC' } });
  }

  async get(accountSid: string, sid: string): Promise<ApiKeyEntity> {
    const key = await this.keys.findOneBy({ sid, accountSid });
    if (!key)
      throw new ParleyError(
        20404,
        `The requested resource /2010-04-01/Accounts/${accountSid}/Keys/${sid}.json was not found`,
      );
    return key;
  }

  async update(accountSid: string, sid: string, friendlyName: string): Promise<ApiKeyEntity> {
    await this.get(accountSid, sid);
    await this.keys.update({ sid, accountSid }, { friendlyName: friendlyName.slice(0, 64) });
    return this.get(accountSid, sid);
  }

  async delete(accountSid: string, sid: string): Promise<void> {
    const result = await this.keys.delete({ sid, accountSid });
    if (!result.affected) await this.get(accountSid, sid);
    this.verified.delete(sid);
  }

  /**
   * The key's account if `secret` is its secret, else null. The row is read every time
   * (one primary-key lookup), so a key revoked on any replica stops working at once; only
   * the scrypt check is skipped for a secret verified recently.
   */
  async verify(sid: string, secret: string): Promise<string | null> {
    const key = await this.keys.findOneBy({ sid });
    if (!key) {
      this.verified.delete(sid);
      return null;
    }
    const digest = createHash('sha256').update(secret).digest('hex');
    const cached = this.verified.get(sid);
    if (
      cached &&
      cached.until > Date.now() &&
      cached.digest === digest &&
      cached.secretHash === key.secretHash
    ) {
      return key.accountSid;
    }
    if (!(await verifySecret(secret, key.secretHash))) return null;
    this.verified.set(sid, {
      digest,
      secretHash: key.secretHash,
      until: Date.now() + VERIFIED_TTL_MS,
    });
    return key.accountSid;
  }
}

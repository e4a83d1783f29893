import { type DataSource } from 'typeorm';
import { AccountEntity } from '../accounts/account.entity';
import { SenderEntity } from '../senders/sender.entity';
import { type SecretBox, secretContext } from '../secrets/secret-box';

export interface ResealReport {
  authTokens: number;
  metaAccessTokens: number;
  metaAppSecrets: number;
  /** Values already sealed with the current key. */
  unchanged: number;
}

/**
 * Seals every stored secret again with the current key (after PARLEY_SECRETS_KEY changed,
 * the old key being in PARLEY_SECRETS_DECRYPT_KEYS). One transaction with the rows locked:
 * either every value moves to the new key or none does, and a value that opens with no
 * configured key stops it with nothing written.
 */
export async function resealSecrets(ds: DataSource, box: SecretBox): Promise<ResealReport> {
  return ds.transaction(async (manager) => {
    const report: ResealReport = {
      authTokens: 0,
      metaAccessTokens: 0,
      metaAppSecrets: 0,
      unchanged: 0,
    };
    const accounts = await manager
      .getRepository(AccountEntity)
      .createQueryBuilder('a')
      .setLock('pessimistic_write')
      .getMany();
    for (const a of accounts) {
      const sealed = box.reseal(a.authTokenSealed, secretContext.authToken(a.sid));
      if (sealed === null) {
        report.unchanged += 1;
        continue;
      }
      await manager
        .getRepository(AccountEntity)
        .update({ sid: a.sid }, { authTokenSealed: sealed });
      report.authTokens += 1;
    }
    const senders = await manager
      .getRepository(SenderEntity)
      .createQueryBuilder('s')
      .setLock('pessimistic_write')
      .getMany();
    for (const s of senders) {
      const accessToken = box.reseal(s.accessTokenSealed, secretContext.metaAccessToken(s.sid));
      const appSecret = box.reseal(s.appSecretSealed, secretContext.metaAppSecret(s.sid));
      report.unchanged += (accessToken === null ? 1 : 0) + (appSecret === null ? 1 : 0);
      if (accessToken === null && appSecret === null) continue;
      await manager.getRepository(SenderEntity).update(
        { sid: s.sid },
        {
          ...(accessToken !== null ? { accessTokenSealed: accessToken } : {}),
          ...(appSecret !== null ? { appSecretSealed: appSecret } : {}),
        },
      );
      if (accessToken !== null) report.metaAccessTokens += 1;
      if (appSecret !== null) report.metaAppSecrets += 1;
    }
    return report;
  });
}

import { Global, Module } from '@nestjs/common';
import { PARLEY_ENV } from '@parley/nest-kit';
import { type CallControlEnv } from '../config/env.schema';
import { SecretBox } from './secret-box';

/** The secrets key, once for the whole service. */
@Global()
@Module({
  providers: [
    {
      provide: SecretBox,
      inject: [PARLEY_ENV],
      useFactory: (env: CallControlEnv) =>
        SecretBox.fromBase64(env.PARLEY_SECRETS_KEY, env.PARLEY_SECRETS_DECRYPT_KEYS),
    },
  ],
  exports: [SecretBox],
})
export class SecretsModule {}

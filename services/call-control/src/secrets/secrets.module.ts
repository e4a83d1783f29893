import { Global, Module } from '@nestjs/common';
import { PARLEY_ENV, PARLEY_LOGGER, type ParleyLogger } from '@parley/nest-kit';
import { type CallControlEnv } from '../config/env.schema';
import { SecretBox } from './secret-box';

/** The secrets key, once for the whole service. */
@Global()
@Module({
  providers: [
    {
      provide: SecretBox,
      inject: [PARLEY_ENV, PARLEY_LOGGER],
      useFactory: (env: CallControlEnv, logger: ParleyLogger) => {
        // The env schema refuses a missing key unless NODE_ENV=development|test was set.
        if (!env.PARLEY_SECRETS_KEY) {
          logger.warn(
            { nodeEnv: env.NODE_ENV },
            'PARLEY_SECRETS_KEY is unset: secrets are sealed with the publicly known development key',
          );
        }
        return SecretBox.fromBase64(env.PARLEY_SECRETS_KEY, env.PARLEY_SECRETS_DECRYPT_KEYS);
      },
    },
  ],
  exports: [SecretBox],
})
export class SecretsModule {}

import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { baseEnvSchema } from '@parley/nest-kit';
import { z } from 'zod';

export const envSchema = baseEnvSchema({ httpPort: 3004 })
  .extend({
    /**
     * The mediasoup worker binary. mediasoup reads this variable itself when it starts a
     * worker; `./dev` builds the binary offline and sets it.
     */
    MEDIASOUP_WORKER_BIN: z
      .string({ required_error: 'must point to the mediasoup-worker binary (./dev builds it)' })
      .min(1)
      .refine((p) => existsSync(p), 'no file at this path'),
    /** One mediasoup Worker per core by default. */
    MEDIASOUP_NUM_WORKERS: z.coerce.number().int().min(1).max(64).default(availableParallelism()),
    MEDIASOUP_RTC_MIN_PORT: z.coerce.number().int().min(1024).max(65_535).default(40_000),
    MEDIASOUP_RTC_MAX_PORT: z.coerce.number().int().min(1024).max(65_535).default(49_999),
    MEDIASOUP_LOG_LEVEL: z.enum(['debug', 'warn', 'error', 'none']).default('warn'),
  })
  .refine(
    (e) => e.MEDIASOUP_RTC_MAX_PORT - e.MEDIASOUP_RTC_MIN_PORT + 1 >= e.MEDIASOUP_NUM_WORKERS * 2,
    {
      path: ['MEDIASOUP_RTC_MAX_PORT'],
      message: 'the RTC port range must give every worker at least two ports',
    },
  );
export type MediaEnv = z.infer<typeof envSchema>;

import { baseEnvSchema } from '@parley/nest-kit';
import { type z } from 'zod';

export const envSchema = baseEnvSchema({ httpPort: 3000 });
export type CallControlEnv = z.infer<typeof envSchema>;

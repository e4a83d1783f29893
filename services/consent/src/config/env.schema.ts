import { baseEnvSchema } from '@parley/nest-kit';
import { type z } from 'zod';

export const envSchema = baseEnvSchema({ httpPort: 3002 });
export type ConsentEnv = z.infer<typeof envSchema>;

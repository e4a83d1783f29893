import { baseEnvSchema } from '@parley/nest-kit';
import { type z } from 'zod';

export const envSchema = baseEnvSchema({ httpPort: 3001 });
export type TwimlInterpreterEnv = z.infer<typeof envSchema>;

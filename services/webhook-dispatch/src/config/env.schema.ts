import { baseEnvSchema } from '@parley/nest-kit';
import { type z } from 'zod';

export const envSchema = baseEnvSchema({ httpPort: 3003 });
export type WebhookDispatchEnv = z.infer<typeof envSchema>;

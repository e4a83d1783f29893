import { z } from 'zod';
import { loadSeedFile } from './config/seed';
import { createJsonLogger } from './logging/logger';
import { startMetaSim } from './server';

const Env = z.object({
  META_SIM_PORT: z.coerce.number().int().min(0).max(65535).default(4010),
  META_SIM_HOST: z.string().min(1).default('127.0.0.1'),
  META_SIM_MEDIA_ADDRESS: z.string().min(1).default('127.0.0.1'),
  META_SIM_ANNOUNCED_MEDIA_ADDRESS: z.string().min(1).optional(),
  META_SIM_REWRITE_REMOTE_CANDIDATES_TO: z.string().min(1).optional(),
  META_SIM_CONFIG: z.string().min(1).optional(),
  META_SIM_RING_TIMEOUT_MS: z.coerce.number().int().min(0).optional(),
  META_SIM_MEDIA_TIMEOUT_MS: z.coerce.number().int().min(0).optional(),
  META_SIM_MAX_CONCURRENT_CALLS: z.coerce.number().int().min(0).optional(),
  META_SIM_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(1).optional(),
  META_SIM_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
});

/** The simulator as its own process: env in, JSON lines out, clean exit on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  const parsed = Env.safeParse(process.env);
  if (!parsed.success) {
    process.stderr.write(
      `meta-sim: invalid environment: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}\n`,
    );
    process.exit(2);
  }
  const env = parsed.data;
  const logger = createJsonLogger(env.META_SIM_LOG_LEVEL);
  const sim = await startMetaSim({
    port: env.META_SIM_PORT,
    host: env.META_SIM_HOST,
    mediaAddress: env.META_SIM_MEDIA_ADDRESS,
    announcedMediaAddress: env.META_SIM_ANNOUNCED_MEDIA_ADDRESS,
    rewriteRemoteCandidatesTo: env.META_SIM_REWRITE_REMOTE_CANDIDATES_TO ?? null,
    ringTimeoutMs: env.META_SIM_RING_TIMEOUT_MS,
    mediaTimeoutMs: env.META_SIM_MEDIA_TIMEOUT_MS,
    maxConcurrentCallsPerBusiness: env.META_SIM_MAX_CONCURRENT_CALLS,
    webhookTimeoutMs: env.META_SIM_WEBHOOK_TIMEOUT_MS,
    seed: env.META_SIM_CONFIG ? loadSeedFile(env.META_SIM_CONFIG) : undefined,
    logger,
  });
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping', { signal });
    sim.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error('stop failed', { error });
        process.exit(1);
      },
    );
  };
  // werift runs fire-and-forget promises per call; one call's failure must not end the
  // simulator for everyone else, but it is logged loudly.
  process.on('unhandledRejection', (reason: unknown) => {
    logger.error('unhandled rejection', {
      error: reason instanceof Error ? reason : String(reason),
    });
  });
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`meta-sim: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

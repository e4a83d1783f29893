import { baseEnvSchema, cidrListEnv } from '@parley/nest-kit';
import { z } from 'zod';

const millis = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** A comma-separated list, blanks dropped. */
const list = z
  .string()
  .default('')
  .transform((v) =>
    v
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  );

export const envSchema = baseEnvSchema({ httpPort: 3003 }).extend({
  /** How often each replica's worker looks for due deliveries (new rows also wake it). */
  DELIVERY_POLL_MS: millis(10, 60_000).default(500),
  /**
   * How long a claimed delivery belongs to its worker. Longer than the longest request
   * (Twilio's 15 s total), so a live worker never loses a row; a crashed one's rows are
   * taken over when it lapses.
   */
  DELIVERY_LEASE_MS: millis(1_000, 600_000).default(60_000),
  /** Attempts of the outbox worker (each may retry inside per the URL's `#rc`/`#rp`). */
  DELIVERY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  /** Backoff between attempts: base doubled per attempt, capped, with full jitter. */
  DELIVERY_BACKOFF_BASE_MS: millis(10, 3_600_000).default(2_000),
  DELIVERY_BACKOFF_MAX_MS: millis(10, 86_400_000).default(10 * 60_000),
  /** Requests in flight per replica, in all and per destination host. */
  DELIVERY_CONCURRENCY: z.coerce.number().int().min(1).max(1_000).default(32),
  DELIVERY_HOST_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(4),
  /**
   * Circuit breaker per destination host: this many failed attempts in a row (connection
   * failures, timeouts, 5xx) stop sending to the host for the open period, doubled after
   * every failed probe up to the maximum. Its callbacks wait in the outbox meanwhile.
   */
  DELIVERY_CIRCUIT_FAILURES: z.coerce.number().int().min(1).max(1_000).default(5),
  DELIVERY_CIRCUIT_OPEN_MS: millis(100, 3_600_000).default(30_000),
  DELIVERY_CIRCUIT_MAX_OPEN_MS: millis(100, 86_400_000).default(5 * 60_000),
  /**
   * How long a callback waits for an earlier callback of the same call still being
   * retried before it is sent anyway (counted from when it was recorded).
   */
  DELIVERY_ORDER_WAIT_MS: millis(0, 86_400_000).default(60_000),
  /**
   * How long the request log (every callback request and response: the notifications,
   * alerts and call events of the API) is kept, and how often older entries are deleted.
   */
  REQUEST_LOG_RETENTION_DAYS: z.coerce.number().int().min(1).max(3_650).default(30),
  REQUEST_LOG_PRUNE_MS: millis(1_000, 86_400_000).default(3_600_000),
  /** How long an account's signing key (auth token) is kept in memory. */
  SIGNING_KEY_CACHE_MS: millis(0, 3_600_000).default(60_000),
  /**
   * Outbound URL policy allow-lists (local development and tests only): CIDRs that may be
   * reached although private or loopback, and host names whose addresses are not checked.
   */
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: cidrListEnv(),
  WEBHOOK_ALLOW_HOSTS: list,
  /**
   * Durable consumer names (registry defaults: `webhook-dispatch.*-status-callbacks` in
   * @parley/contracts); an installation may rename them.
   */
  CALL_STATUS_CONSUMER: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .default('webhook-dispatch-call-status'),
  RECORDING_STATUS_CONSUMER: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .default('webhook-dispatch-recording-status'),
  STREAM_STATUS_CONSUMER: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .default('webhook-dispatch-stream-status'),
  MESSAGE_STATUS_CONSUMER: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .default('webhook-dispatch-message-status'),
  INCOMING_MESSAGES_CONSUMER: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .default('webhook-dispatch-incoming-messages'),
  CONTENT_APPROVALS_CONSUMER: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .default('webhook-dispatch-content-approvals'),
});
export type WebhookDispatchEnv = z.infer<typeof envSchema>;

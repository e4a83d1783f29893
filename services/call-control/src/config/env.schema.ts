import { baseEnvSchema, cidrListEnv } from '@parley/nest-kit';
import {
  RECORDING_STORAGE_SETTINGS_MESSAGE,
  recordingStorageEnvShape,
  recordingStorageSettingsComplete,
} from '@parley/recording-storage';
import { z } from 'zod';

const seconds = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const millis = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** A base64 string that decodes to exactly 32 bytes (an AES-256 key). */
const secretsKey = z
  .string()
  .refine((v) => Buffer.from(v, 'base64').length === 32 && /^[A-Za-z0-9+/]+={0,2}$/.test(v), {
    message: 'must be 32 random bytes in base64 (e.g. `openssl rand -base64 32`)',
  });

export const envSchema = baseEnvSchema({ httpPort: 3000 })
  .extend({
    /**
     * Master key for secrets stored encrypted (auth tokens, Meta access tokens and app
     * secrets): AES-256-GCM. Required in production; in development and tests a fixed,
     * publicly known key is derived when unset (so never use those databases for real data).
     */
    PARLEY_SECRETS_KEY: secretsKey.optional(),
    /**
     * Older (or next) secrets keys, comma-separated: values they sealed still open. Used
     * while rotating PARLEY_SECRETS_KEY (see `./dev admin secrets:reseal`).
     */
    PARLEY_SECRETS_DECRYPT_KEYS: z
      .string()
      .default('')
      .transform((v) =>
        v
          .split(',')
          .map((k) => k.trim())
          .filter(Boolean),
      )
      .pipe(z.array(secretsKey).max(10)),
    /** Development account ensured at boot (both or neither). */
    PARLEY_DEV_ACCOUNT_SID: z
      .string()
      .regex(/^AC[0-9a-f]{32}$/, 'must be AC followed by 32 lowercase hex digits')
      .optional(),
    PARLEY_DEV_AUTH_TOKEN: z
      .string()
      .regex(/^[0-9a-f]{32}$/, 'must be 32 lowercase hex digits')
      .optional(),
    /** Base URL the public sees (for absolute `url` fields of /v2 resources). */
    PARLEY_PUBLIC_URL: z.string().url().optional(),

    META_GRAPH_BASE_URL: z.string().url().default('https://graph.facebook.com'),
    META_GRAPH_VERSION: z
      .string()
      .regex(/^v\d+\.\d+$/, 'must look like v23.0')
      .default('v23.0'),
    META_GRAPH_TIMEOUT_MS: millis(100, 120_000).default(10_000),
    META_GRAPH_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
    /** Accepted in Meta's subscription check (`hub.verify_token`) besides per-sender tokens. */
    META_WEBHOOK_VERIFY_TOKEN: z.string().min(8).optional(),

    /**
     * How strictly REST and <Dial> destinations are checked: `valid` (assigned numbers,
     * libphonenumber's metadata) or `possible` (right length only; for test numbers).
     */
    WHATSAPP_NUMBER_CHECK: z.enum(['valid', 'possible']).default('valid'),
    /**
     * Ask Meta (`GET /{phone-number-id}/call_permissions`) before each business-initiated
     * call and give its answer to consent, which counts disagreements; the stricter wins.
     */
    CONSENT_META_SECOND_OPINION: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
    /** WhatsApp allows 1,000 concurrent calls per business number. */
    SENDER_MAX_CONCURRENT_CALLS: z.coerce.number().int().min(1).max(100_000).default(1000),
    /** REST `Timeout` when not given: an unanswered outbound call ends no-answer after it. */
    CALL_DEFAULT_TIMEOUT_SEC: seconds(1, 600).default(60),
    /** REST `TimeLimit` when not given (4 h, Twilio's default and maximum). */
    CALL_DEFAULT_TIME_LIMIT_SEC: seconds(1, 86_400).default(14_400),
    /** An inbound call the application never answers is ended after this long. */
    CALL_INBOUND_RING_TIMEOUT_SEC: seconds(5, 600).default(90),
    /** How often due call timers (ring timeouts, time limits) are looked for. */
    CALL_TIMER_POLL_MS: millis(50, 60_000).default(1_000),
    /** How often due call side effects (Meta terminate/reject, media close, set-up) are run. */
    CALL_EFFECT_POLL_MS: millis(50, 600_000).default(1_000),
    /**
     * How long an attempt at a call effect holds it: another replica takes it over only
     * after this (longer than the slowest effect: an inbound set-up waits on media and Meta).
     */
    CALL_EFFECT_LEASE_MS: millis(1_000, 3_600_000).default(120_000),
    /** First retry delay of a failed call effect; it doubles per attempt, up to a minute. */
    CALL_EFFECT_RETRY_BASE_MS: millis(10, 60_000).default(500),
    /** Attempts before a call effect is dead-lettered (about 16 minutes at the defaults). */
    CALL_EFFECT_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(1_000).default(20),
    /** How often unpublished status events are looked for (the outbox sweeper). */
    OUTBOX_SWEEP_MS: millis(50, 600_000).default(5_000),
    /** How often failed or unfinished Meta webhook events are retried. */
    META_WEBHOOK_RETRY_MS: millis(50, 600_000).default(2_000),
    META_WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(10),
    /** How often messages with work due (sending, settling with consent) are looked for. */
    MESSAGES_POLL_MS: millis(50, 600_000).default(1_000),
    /** First retry delay of a message whose send never reached Meta; doubles, capped at 60 s. */
    MESSAGES_RETRY_BASE_MS: millis(10, 60_000).default(500),
    /** Attempts before such a message fails for good (30008, counted as gave-up). */
    MESSAGES_MAX_SEND_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(10),
    /** How often WhatsApp template submissions owed to Meta are looked for. */
    APPROVALS_POLL_MS: millis(50, 600_000).default(2_000),
    /** First retry delay of a template submission that failed; doubles, capped at 5 minutes. */
    APPROVALS_RETRY_BASE_MS: millis(10, 60_000).default(1_000),
    /** Submission attempts before a template request is dead-lettered (rejected, reason given). */
    APPROVALS_MAX_SUBMIT_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(8),
    /** WhatsApp's customer service window: session messages only this long after the user wrote. */
    MESSAGES_SESSION_WINDOW_HOURS: z.coerce.number().int().min(1).max(168).default(24),
    /**
     * Name of the JetStream durable consumer of finished recordings: every replica shares
     * it, so each recording is taken once. Change it only to run separate installations
     * on one NATS.
     */
    RECORDINGS_CONSUMER: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, - and _ only')
      .default('call-control-recordings'),
    /** Failed deliveries of a finished recording before it goes to the dead letters. */
    RECORDINGS_MAX_DELIVER: z.coerce.number().int().min(1).max(1_000).default(10),
    /** How often recordings left in-progress after their call ended are reconciled. */
    RECORDING_RECONCILE_MS: millis(50, 3_600_000).default(60_000),
    /**
     * How long after its call ended a recording may stay in-progress (media still saving
     * and reporting it) before the reconciler closes it from its stored file, or fails it.
     */
    RECORDING_RECONCILE_GRACE_SEC: seconds(0, 86_400).default(600),
    /** How often dead letters an operator asked to re-drive are run again. */
    DEAD_LETTER_REDRIVE_MS: millis(50, 600_000).default(5_000),
    /**
     * Failed REST authentications allowed per credential (AccountSid or API key sid) and
     * per client address within AUTH_FAILURE_WINDOW_SEC; past them, 429 (code 20429)
     * before any secret is checked. Counted per replica.
     */
    AUTH_FAILURES_PER_CREDENTIAL: z.coerce.number().int().min(1).max(100_000).default(10),
    AUTH_FAILURES_PER_ADDRESS: z.coerce.number().int().min(1).max(100_000).default(50),
    AUTH_FAILURE_WINDOW_SEC: seconds(1, 86_400).default(60),
    /**
     * Private networks customer URLs (Url, StatusCallback, FallbackUrl...) may name when
     * they are set (development: 127.0.0.1/32). The services fetching them check again,
     * after DNS, with their own allow-lists.
     */
    OUTBOUND_URL_ALLOW_PRIVATE_NETWORKS: cidrListEnv(),
    // Recordings are served from the store media writes them to.
    ...recordingStorageEnvShape,
    /** Largest accepted request body (REST forms and JSON, Meta webhooks). */
    HTTP_BODY_LIMIT_BYTES: z.coerce.number().int().min(1_024).max(10_485_760).default(262_144),
  })
  .refine(recordingStorageSettingsComplete, {
    path: ['RECORDINGS_STORAGE'],
    message: RECORDING_STORAGE_SETTINGS_MESSAGE,
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.PARLEY_SECRETS_KEY) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['PARLEY_SECRETS_KEY'],
        message: 'is required in production',
      });
    }
    if (!!env.PARLEY_DEV_ACCOUNT_SID !== !!env.PARLEY_DEV_AUTH_TOKEN) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: [env.PARLEY_DEV_ACCOUNT_SID ? 'PARLEY_DEV_AUTH_TOKEN' : 'PARLEY_DEV_ACCOUNT_SID'],
        message: 'PARLEY_DEV_ACCOUNT_SID and PARLEY_DEV_AUTH_TOKEN are set together',
      });
    }
  });
export type CallControlEnv = z.infer<typeof envSchema>;

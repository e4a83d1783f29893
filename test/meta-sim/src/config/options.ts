import type { Logger, LogLevel } from '../logging/logger';
import { DEFAULT_LEDGER_LIMITS, type LedgerLimits } from '../sim/permission-ledger';
import { metaLikeRetryDelays } from '../webhooks/dispatcher';
import type { SeedConfig } from './seed';

export interface MetaSimOptions {
  /** HTTP port for the Graph and control APIs; 0 picks a free one. Default 4010. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Address the simulated users' WebRTC sockets bind to and announce. Default 127.0.0.1. */
  mediaAddress?: string;
  /** Address written in SDP instead of `mediaAddress` (NAT, containers). */
  announcedMediaAddress?: string;
  /** Rewrite every candidate in the business's SDP to this address (unreachable candidates in tests). */
  rewriteRemoteCandidatesTo?: string | null;
  /** A user-initiated call not accepted within this time ends unanswered; also how long a user's phone rings. Default 60 s. */
  ringTimeoutMs?: number;
  /** An accepted call with no inbound media for this long ends FAILED 138021. Default 20 s. */
  mediaTimeoutMs?: number;
  /** Calls in progress per business number (Meta: 1,000). */
  maxConcurrentCallsPerBusiness?: number;
  /** ACCEPTED status of a business-initiated call: at the first media, or after this long. Default 1 s. */
  acceptedStatusDelayMs?: number;
  /**
   * A business-initiated call starts ringing (RINGING webhook) this long after `connect`
   * answered; the user's `answerAfterMs` counts from there. Default 50 ms, so the business
   * has the call id before the first webhook about it, as with Meta.
   */
  ringingAfterMs?: number;
  /** Meta's permission rules (requests per 24 h / 7 days, permission life, calls per 24 h, missed calls). */
  limits?: Partial<LedgerLimits>;
  /** Waits between webhook attempts; default a Meta-like schedule of about 7 days. */
  webhookRetryDelaysMs?: number[];
  /** Per webhook attempt. Default 10 s. */
  webhookTimeoutMs?: number;
  /** Received audio kept per call for WAV export. Default 120 s. */
  maxRecordedMs?: number;
  /** JSON-lines log level; default `warn` in-process, `info` for `main.ts`. */
  logLevel?: LogLevel;
  /** Replaces the JSON-lines logger entirely. */
  logger?: Logger;
  /** Businesses, users and permissions to create at start. */
  seed?: SeedConfig;
  /** Start the simulated clock this far ahead of real time. */
  clockOffsetMs?: number;
}

export interface ResolvedSettings {
  port: number;
  host: string;
  mediaAddress: string;
  announcedMediaAddress: string;
  rewriteRemoteCandidatesTo: string | null;
  ringTimeoutMs: number;
  mediaTimeoutMs: number;
  maxConcurrentCallsPerBusiness: number;
  acceptedStatusDelayMs: number;
  ringingAfterMs: number;
  limits: LedgerLimits;
  webhookRetryDelaysMs: number[];
  webhookTimeoutMs: number;
  maxRecordedMs: number;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v < 0) throw new RangeError(`${name} must be a non-negative number`);
  return v;
}

export function resolveSettings(options: MetaSimOptions): ResolvedSettings {
  const mediaAddress = options.mediaAddress ?? '127.0.0.1';
  const port = options.port ?? 4010;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new RangeError('port must be 0-65535');
  const limits = { ...DEFAULT_LEDGER_LIMITS, ...options.limits };
  for (const [name, value] of Object.entries(limits)) positive(`limits.${name}`, value, 0);
  const retries = options.webhookRetryDelaysMs ?? metaLikeRetryDelays();
  retries.forEach((d, i) => positive(`webhookRetryDelaysMs[${i}]`, d, 0));
  return {
    port,
    host: options.host ?? '127.0.0.1',
    mediaAddress,
    announcedMediaAddress: options.announcedMediaAddress ?? mediaAddress,
    rewriteRemoteCandidatesTo: options.rewriteRemoteCandidatesTo ?? null,
    ringTimeoutMs: positive('ringTimeoutMs', options.ringTimeoutMs, 60_000),
    mediaTimeoutMs: positive('mediaTimeoutMs', options.mediaTimeoutMs, 20_000),
    maxConcurrentCallsPerBusiness: positive(
      'maxConcurrentCallsPerBusiness',
      options.maxConcurrentCallsPerBusiness,
      1000,
    ),
    acceptedStatusDelayMs: positive('acceptedStatusDelayMs', options.acceptedStatusDelayMs, 1000),
    ringingAfterMs: positive('ringingAfterMs', options.ringingAfterMs, 50),
    limits,
    webhookRetryDelaysMs: retries,
    webhookTimeoutMs: positive('webhookTimeoutMs', options.webhookTimeoutMs, 10_000),
    maxRecordedMs: positive('maxRecordedMs', options.maxRecordedMs, 120_000),
  };
}

import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

export const LOG_LEVELS = ['error', 'warning'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * The request log: one row per HTTP request made to a business URL (each attempt of a
 * callback), with what the business answered. Failed ones carry Twilio's error code and a
 * log level and are the account's notifications and alerts (`NO...`); a call's rows are
 * its Twilio-shaped `Events.json`. Written in the statement that records the attempt's
 * outcome on its delivery, so the log and the outbox never disagree. Pruned after
 * REQUEST_LOG_RETENTION_DAYS.
 */
@Entity({ name: 'request_log' })
@Index('request_log_account_idx', ['accountSid', 'createdAt', 'sid'])
@Index('request_log_call_idx', ['callSid', 'createdAt', 'sid'])
@Index('request_log_created_at_idx', ['createdAt'])
@Check('request_log_method_check', `"request_method" IN ('GET', 'POST')`)
@Check('request_log_level_check', `"log_level" IN ('error', 'warning')`)
export class RequestLogEntity {
  @PrimaryColumn({ type: 'char', length: 34 })
  sid!: string;

  @Column({ name: 'account_sid', type: 'char', length: 34 })
  accountSid!: string;

  @Column({ name: 'call_sid', type: 'char', length: 34, nullable: true })
  callSid!: string | null;

  /** What the request was about: the call, recording or message. */
  @Column({ name: 'resource_sid', type: 'varchar', length: 34, nullable: true })
  resourceSid!: string | null;

  @Column({ name: 'delivery_id', type: 'uuid', nullable: true })
  deliveryId!: string | null;

  @Column({ type: 'varchar', length: 32 })
  kind!: string;

  @Column({ name: 'request_method', type: 'varchar', length: 4 })
  requestMethod!: 'GET' | 'POST';

  /** Without the connection-override fragment. */
  @Column({ name: 'request_url', type: 'text' })
  requestUrl!: string;

  @Column({ name: 'request_params', type: 'jsonb' })
  requestParams!: Record<string, string>;

  @Column({ name: 'request_headers', type: 'jsonb' })
  requestHeaders!: Record<string, string>;

  @Column({ name: 'response_status', type: 'integer', nullable: true })
  responseStatus!: number | null;

  @Column({ name: 'response_headers', type: 'jsonb', nullable: true })
  responseHeaders!: Record<string, string> | null;

  /** The start of the response body (RESPONSE_EXCERPT_CHARS at most). */
  @Column({ name: 'response_body', type: 'text', nullable: true })
  responseBody!: string | null;

  @Column({ name: 'latency_ms', type: 'integer' })
  latencyMs!: number;

  @Column({ name: 'error_code', type: 'integer', nullable: true })
  errorCode!: number | null;

  @Column({ name: 'log_level', type: 'varchar', length: 8, nullable: true })
  logLevel!: LogLevel | null;

  @Column({ type: 'text', nullable: true })
  message!: string | null;

  /** Millisecond precision: list cursors carry it as an ISO string. */
  @Column({ name: 'created_at', type: 'timestamptz', precision: 3, default: () => 'now()' })
  createdAt!: Date;
}

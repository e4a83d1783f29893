import { z } from 'zod';
import { AccountSid, CallSid, NotificationSid } from '../ids';

/**
 * Sends failed callbacks again (an operator's command): the given deliveries, or every
 * failed one of an account. Each goes out with its original request and idempotency token.
 */
export const DeliveriesRedriveRequestV1 = z
  .object({
    deliveryIds: z.array(z.string().uuid()).min(1).max(1_000).optional(),
    accountSid: AccountSid.optional(),
  })
  .refine((r) => r.deliveryIds !== undefined || r.accountSid !== undefined, {
    message: 'deliveryIds or accountSid is required',
  });
export const DeliveriesRedriveReplyV1 = z.object({ redriven: z.number().int().nonnegative() });

/**
 * The request log: every HTTP request Parley made to a business URL for a callback, with
 * what the business answered. A request that failed carries Twilio's error code and a log
 * level (`error` when it failed for good, `warning` when it was retried or its fallback
 * asked): those entries are the account's notifications (`Notifications.json`) and alerts
 * (`/v1/Alerts`); all of a call's entries are its `Calls/{Sid}/Events.json`.
 */
export const RequestLogLevelV1 = z.enum(['error', 'warning']);
export const RequestLogEntryV1 = z.object({
  sid: NotificationSid,
  accountSid: AccountSid,
  callSid: CallSid.nullable(),
  /** The resource the request was about (CA..., RE..., SM...). */
  resourceSid: z.string().max(34).nullable(),
  /** The callback kind (`call-status`, `recording-status`, ...). */
  kind: z.string().max(32),
  request: z.object({
    method: z.enum(['GET', 'POST']),
    /** Without the connection-override fragment. */
    url: z.string(),
    params: z.record(z.string(), z.string()),
    headers: z.record(z.string(), z.string()),
  }),
  /** Null when no response came (connection refused, timeout, refused address). */
  response: z
    .object({
      statusCode: z.number().int(),
      headers: z.record(z.string(), z.string()),
      /** The start of the body (a few kB at most). */
      body: z.string(),
    })
    .nullable(),
  latencyMs: z.number().int().nonnegative(),
  errorCode: z.number().int().nullable(),
  logLevel: RequestLogLevelV1.nullable(),
  message: z.string().nullable(),
  /** ISO 8601, millisecond precision: with `sid` the list order. */
  createdAt: z.string().datetime(),
});

/** A position in a list: the entry next to it (Twilio's PageToken). */
const RequestLogCursorV1 = z.object({
  direction: z.enum(['after', 'before']),
  createdAt: z.string().datetime(),
  sid: NotificationSid,
});

/**
 * One page of an account's request log, newest first (`desc`) or oldest first (`asc`),
 * after or before a cursor or at an offset; `limit` is one more than the page, so the
 * caller knows whether another page exists. Rows come in the order walked: reversed for a
 * `before` cursor.
 */
export const RequestLogListRequestV1 = z.object({
  accountSid: AccountSid,
  callSid: CallSid.optional(),
  /** Only requests that failed (notifications and alerts). */
  failedOnly: z.boolean().default(false),
  logLevel: RequestLogLevelV1.optional(),
  from: z.string().datetime().optional(),
  to: z.string().datetime().optional(),
  order: z.enum(['asc', 'desc']).default('desc'),
  cursor: RequestLogCursorV1.optional(),
  offset: z.number().int().min(0).max(100_000_000).default(0),
  limit: z.number().int().min(1).max(1_001),
});
export const RequestLogListReplyV1 = z.object({ entries: z.array(RequestLogEntryV1) });

/** One entry of an account's request log; another account's sid is not found (null). */
export const RequestLogGetRequestV1 = z.object({
  accountSid: AccountSid,
  sid: NotificationSid,
});
export const RequestLogGetReplyV1 = z.object({ entry: RequestLogEntryV1.nullable() });

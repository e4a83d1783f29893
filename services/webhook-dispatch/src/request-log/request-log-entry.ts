import { type IncomingHttpHeaders } from 'node:http';
import { newSid } from '@parley/contracts';
import { type LogLevel } from './request-log.entity';

/** Characters of a response body kept in the log. */
export const RESPONSE_EXCERPT_CHARS = 4096;

/** A request-log row to insert (sid and time are the row's own). */
export interface RequestLogInsert {
  sid: string;
  accountSid: string;
  callSid: string | null;
  resourceSid: string | null;
  deliveryId: string | null;
  kind: string;
  requestMethod: 'GET' | 'POST';
  requestUrl: string;
  requestParams: Record<string, string>;
  requestHeaders: Record<string, string>;
  responseStatus: number | null;
  responseHeaders: Record<string, string> | null;
  responseBody: string | null;
  latencyMs: number;
  errorCode: number | null;
  logLevel: LogLevel | null;
  message: string | null;
}

/** What the log keeps of an HTTP exchange (the port's result, whatever its client). */
export interface LoggedExchange {
  status: number | null;
  headers: IncomingHttpHeaders | null;
  body: Buffer | null;
  latencyMs: number;
  errorCode: number | null;
  message: string | null;
}

/** Parameters that name the resource a callback is about, most specific first. */
const RESOURCE_PARAMS = ['RecordingSid', 'MessageSid', 'SmsSid', 'CallSid'] as const;

export function resourceSidOf(params: Readonly<Record<string, string>>): string | null {
  for (const name of RESOURCE_PARAMS) {
    const value = params[name];
    if (value !== undefined && /^[A-Z]{2}[0-9a-f]{32}$/.test(value)) return value;
  }
  return null;
}

/** Header values as strings (repeated headers joined), names lower-case. */
export function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** The log row of one request: the URL without its override fragment, a body excerpt. */
export function requestLogEntry(req: {
  accountSid: string;
  callSid: string | null;
  deliveryId: string | null;
  kind: string;
  url: string;
  method: 'GET' | 'POST';
  params: Readonly<Record<string, string>>;
  idempotencyToken: string;
  userAgent: string;
  exchange: LoggedExchange;
  logLevel: LogLevel | null;
}): RequestLogInsert {
  const requestHeaders: Record<string, string> = {
    'user-agent': req.userAgent,
    'i-twilio-idempotency-token': req.idempotencyToken,
  };
  if (req.method === 'POST') {
    requestHeaders['content-type'] = 'application/x-www-form-urlencoded; charset=utf-8';
  }
  const { exchange } = req;
  return {
    sid: newSid('NO'),
    accountSid: req.accountSid,
    callSid: req.callSid,
    resourceSid: resourceSidOf(req.params) ?? req.callSid,
    deliveryId: req.deliveryId,
    kind: req.kind,
    requestMethod: req.method,
    requestUrl: req.url.replace(/#.*$/, ''),
    requestParams: { ...req.params },
    requestHeaders,
    responseStatus: exchange.status,
    responseHeaders: exchange.headers ? flatHeaders(exchange.headers) : null,
    responseBody: exchange.body
      ? exchange.body
          .toString('utf8', 0, RESPONSE_EXCERPT_CHARS * 4)
          .slice(0, RESPONSE_EXCERPT_CHARS)
      : null,
    latencyMs: Math.max(0, Math.round(exchange.latencyMs)),
    errorCode: exchange.errorCode,
    logLevel: req.logLevel,
    message: exchange.message,
  };
}

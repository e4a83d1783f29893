import { z } from 'zod';
import { type RequestLogEntry } from '../clients/request-log.client';
import { accountPath, API_VERSION, rfc2822 } from '../common/twilio-format';
import { registerComponent } from '../openapi/api-doc';

/**
 * The request log as Twilio shows it: a failed request is a Notification (2010 API,
 * `log` 0 error / 1 warning) and an Alert (Monitor v1); every request of a call is a Call
 * Event (`request` and `response`). Pure: entries in, Twilio's JSON out.
 */

const moreInfo = (code: number | null): string =>
  code === null ? '' : `https://www.twilio.com/docs/errors/${code}`;

/** Form-encoded, as Twilio's `request_variables` and `message_text` are. */
function formEncoded(params: Readonly<Record<string, string>>): string {
  return new URLSearchParams(Object.entries(params)).toString();
}

/** Header lines, `Name: value` one per line, as Twilio's `response_headers` strings read. */
function headerLines(headers: Readonly<Record<string, string>>): string {
  return Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}`)
    .join('\n');
}

function messageText(entry: RequestLogEntry): string {
  const text: Record<string, string> = {};
  if (entry.message) text.Msg = entry.message;
  text.sourceComponent = entry.kind;
  if (entry.response) text.httpResponse = String(entry.response.statusCode);
  text.url = entry.request.url;
  return formEncoded(text);
}

export const NotificationResource = z.object({
  account_sid: z.string(),
  api_version: z.string(),
  call_sid: z.string().nullable(),
  date_created: z.string().describe('RFC 2822'),
  date_updated: z.string().describe('RFC 2822'),
  error_code: z.string().describe("Twilio's error code, e.g. 11200"),
  log: z.enum(['0', '1']).describe('0: error (failed for good), 1: warning (retried)'),
  message_date: z.string().describe('RFC 2822'),
  message_text: z.string().describe('Form-encoded: Msg, sourceComponent, httpResponse, url'),
  more_info: z.string(),
  request_method: z.string(),
  request_url: z.string(),
  sid: z.string(),
  uri: z.string(),
  request_variables: z.string().optional().describe('Fetch only: the parameters sent'),
  response_body: z.string().optional().describe('Fetch only: the start of the answer'),
  response_headers: z.string().optional().describe('Fetch only: one header per line'),
});
registerComponent('Notification', NotificationResource);

export function serializeNotification(
  entry: RequestLogEntry,
  opts: { instance: boolean },
): z.infer<typeof NotificationResource> {
  const created = new Date(entry.createdAt);
  const date = rfc2822(created) ?? '';
  const base = {
    account_sid: entry.accountSid,
    api_version: API_VERSION,
    call_sid: entry.callSid,
    date_created: date,
    date_updated: date,
    error_code: String(entry.errorCode ?? ''),
    log: entry.logLevel === 'error' ? ('0' as const) : ('1' as const),
    message_date: date,
    message_text: messageText(entry),
    more_info: moreInfo(entry.errorCode),
    request_method: entry.request.method,
    request_url: entry.request.url,
    sid: entry.sid,
    uri: `${accountPath(entry.accountSid)}/Notifications/${entry.sid}.json`,
  };
  if (!opts.instance) return base;
  return {
    ...base,
    request_variables: formEncoded(entry.request.params),
    response_body: entry.response?.body ?? '',
    response_headers: headerLines(entry.response?.headers ?? {}),
  };
}

export const AlertResource = z.object({
  account_sid: z.string(),
  alert_text: z.string(),
  api_version: z.string(),
  date_created: z.string().describe('ISO 8601'),
  date_generated: z.string().describe('ISO 8601'),
  date_updated: z.string().describe('ISO 8601'),
  error_code: z.string(),
  log_level: z.enum(['error', 'warning']),
  more_info: z.string(),
  request_method: z.string(),
  request_url: z.string(),
  resource_sid: z.string().nullable().describe('The call, recording or message'),
  sid: z.string(),
  url: z.string(),
  service_sid: z.string().nullable(),
  request_variables: z.string().optional().describe('Fetch only'),
  response_body: z.string().optional().describe('Fetch only'),
  response_headers: z.string().optional().describe('Fetch only'),
  request_headers: z.string().optional().describe('Fetch only'),
});
registerComponent('Alert', AlertResource);

export function serializeAlert(
  entry: RequestLogEntry,
  opts: { instance: boolean; baseUrl: string },
): z.infer<typeof AlertResource> {
  const base = {
    account_sid: entry.accountSid,
    alert_text: messageText(entry),
    api_version: API_VERSION,
    date_created: entry.createdAt,
    date_generated: entry.createdAt,
    date_updated: entry.createdAt,
    error_code: String(entry.errorCode ?? ''),
    log_level: entry.logLevel === 'error' ? ('error' as const) : ('warning' as const),
    more_info: moreInfo(entry.errorCode),
    request_method: entry.request.method,
    request_url: entry.request.url,
    resource_sid: entry.resourceSid,
    sid: entry.sid,
    url: `${opts.baseUrl}/v1/Alerts/${entry.sid}`,
    service_sid: null,
  };
  if (!opts.instance) return base;
  return {
    ...base,
    request_variables: formEncoded(entry.request.params),
    response_body: entry.response?.body ?? '',
    response_headers: headerLines(entry.response?.headers ?? {}),
    request_headers: headerLines(entry.request.headers),
  };
}

/** `CallSid` -> `call_sid`: Twilio shows a call event's parameters in snake_case. */
export function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}

export const TwilioCallEventResource = z.object({
  request: z.object({
    method: z.string(),
    url: z.string(),
    parameters: z.record(z.string(), z.string()).describe('snake_case names, as Twilio shows them'),
    headers: z.record(z.string(), z.string()),
  }),
  response: z.object({
    date_created: z.string().describe('RFC 2822'),
    request_duration: z.number().int().describe('Milliseconds'),
    response_code: z.number().int().nullable().describe('Null when nothing answered'),
    content_type: z.string().nullable(),
    response_body: z.string().nullable(),
    headers: z.record(z.string(), z.string()),
    error_code: z.number().int().nullable().describe("Parley: Twilio's code when it failed"),
  }),
});
registerComponent('TwilioCallEvent', TwilioCallEventResource);

export function serializeTwilioCallEvent(
  entry: RequestLogEntry,
): z.infer<typeof TwilioCallEventResource> {
  const parameters: Record<string, string> = {};
  for (const [name, value] of Object.entries(entry.request.params)) {
    parameters[snakeCase(name)] = value;
  }
  const headers = entry.response?.headers ?? {};
  return {
    request: {
      method: entry.request.method,
      url: entry.request.url,
      parameters,
      headers: entry.request.headers,
    },
    response: {
      date_created: rfc2822(new Date(entry.createdAt)) ?? '',
      request_duration: entry.latencyMs,
      response_code: entry.response?.statusCode ?? null,
      content_type: headers['content-type'] ?? null,
      response_body: entry.response ? entry.response.body : null,
      headers,
      error_code: entry.errorCode,
    },
  };
}

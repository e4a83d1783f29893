import { createHmac } from 'node:crypto';

/** Form parameters: a value per name, or several for a repeated name. */
export type WebhookParams =
  | Readonly<Record<string, string | readonly string[]>>
  | URLSearchParams
  | readonly (readonly [string, string])[];

/** Groups parameters by name, keeping every value of a repeated name in order. */
export function groupParams(params: WebhookParams | undefined): Map<string, string[]> {
  const grouped = new Map<string, string[]>();
  const add = (name: string, value: string): void => {
    const values = grouped.get(name);
    if (values) values.push(value);
    else grouped.set(name, [value]);
  };
  if (params === undefined) return grouped;
  if (params instanceof URLSearchParams || Array.isArray(params)) {
    for (const [name, value] of params as Iterable<readonly [string, string]>) add(name, value);
    return grouped;
  }
  for (const [name, value] of Object.entries(
    params as Record<string, string | readonly string[]>,
  )) {
    if (typeof value === 'string') add(name, value);
    else for (const item of value) add(name, item);
  }
  return grouped;
}

/**
 * The `X-Twilio-Signature` of a request: base64(HMAC-SHA1(authToken, url + every POST
 * parameter as name + value, names sorted)). For GET the parameters are already in the
 * URL's query string and nothing is appended (pass no params).
 *
 * `url` is signed as the WHATWG URL serialises it, without its fragment (connection
 * overrides never reach the server): that is the first form Twilio's validators try
 * (twilio-node validateRequest: without the default port, then with it).
 *
 * A repeated name is signed with its distinct values sorted, as twilio-node and
 * twilio-python validate (`sorted(set(values))`); signing them in body order would be
 * refused by both whenever the order differs. Names and values sort by UTF-16 code unit,
 * like JavaScript's default sort in twilio-node.
 */
export function twilioSignature(authToken: string, url: string, params?: WebhookParams): string {
  let data = signedUrl(url);
  const grouped = groupParams(params);
  for (const name of [...grouped.keys()].sort()) {
    const values = [...new Set(grouped.get(name))].sort();
    for (const value of values) data += name + value;
  }
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

/** The URL as it is signed: serialised by WHATWG URL, fragment removed. */
export function signedUrl(url: string): string {
  const parsed = new URL(url);
  parsed.hash = '';
  return parsed.href;
}

/** `application/x-www-form-urlencoded` body of the parameters, repeated names included. */
export function formBody(params: WebhookParams | undefined): string {
  const form = new URLSearchParams();
  for (const [name, values] of groupParams(params)) {
    for (const value of values) form.append(name, value);
  }
  return form.toString();
}

/** Twilio's API version segment and its date format. */
export const API_VERSION = '2010-04-01';
export const API_PREFIX = `/${API_VERSION}`;

/** RFC 2822 as Twilio writes it: `Tue, 31 Aug 2010 20:36:28 +0000`. */
export function rfc2822(date: Date | null | undefined): string | null {
  if (!date) return null;
  return date.toUTCString().replace(/GMT$/, '+0000');
}

/** ISO 8601 without milliseconds, as Twilio's v2 APIs write dates. */
export function iso8601(date: Date | null | undefined): string | null {
  if (!date) return null;
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Where an account's 2010 resources live. */
export function accountPath(accountSid: string): string {
  return `${API_PREFIX}/Accounts/${accountSid}`;
}

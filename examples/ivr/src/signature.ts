import twilio from 'twilio';

/**
 * Whether a request really comes from Parley (or Twilio): its `X-Twilio-Signature` is the
 * HMAC-SHA1, keyed with the account's auth token, of the full URL the request was sent to
 * followed by the POST parameters sorted by name. Checked with the official `twilio`
 * package, exactly as an application on Twilio checks it.
 */
export function isSignedRequest(
  authToken: string,
  signature: string | undefined,
  url: string,
  params: Record<string, string>,
): boolean {
  if (!signature) return false;
  return twilio.validateRequest(authToken, signature, url, params);
}

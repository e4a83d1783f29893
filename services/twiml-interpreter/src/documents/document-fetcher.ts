import { type AccountSid, type ErrorCode, type HttpMethod } from '@parley/contracts';

/** One signed request for a TwiML document, as Twilio makes it. */
export interface FetchRequest {
  accountSid: AccountSid;
  url: string;
  method: HttpMethod;
  parameters: Readonly<Record<string, string>>;
  /** Time left for this request, in milliseconds. */
  timeoutMs: number;
}

export type FetchResult =
  | { ok: true; status: number; contentType: string | null; body: string; finalUrl: string }
  | { ok: false; errorCode: ErrorCode; message: string };

/**
 * Gets a document over HTTP: signing, outbound URL policy, timeouts and size limits live
 * behind this port (packages/webhooks), so the interpreter only decides what a response
 * means.
 */
export abstract class DocumentFetcher {
  abstract fetch(request: FetchRequest): Promise<FetchResult>;
}

import { type HttpMethod } from '@parley/contracts';

/** Where a call's next TwiML comes from: a URL to request, or a document given inline. */
export type DocumentSource =
  | {
      kind: 'url';
      url: string;
      method: HttpMethod;
      /** Requested with `ErrorCode`/`ErrorUrl` when `url` fails (VoiceFallbackUrl). */
      fallback: { url: string; method: HttpMethod } | null;
    }
  | { kind: 'twiml'; twiml: string };

/** A document to load, with the Twilio request parameters its URL receives. */
export interface DocumentRequest {
  source: DocumentSource;
  parameters: Readonly<Record<string, string>>;
}

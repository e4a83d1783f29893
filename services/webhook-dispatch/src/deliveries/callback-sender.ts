import { type IncomingHttpHeaders } from 'node:http';

/**
 * The port the worker sends through: the shape of `TwilioHttpClient.send` of
 * @parley/webhooks (signing, connection overrides, the outbound URL policy, retries inside
 * one attempt), which is what the service wires in. Failures are results, never throws.
 */
export interface CallbackHttpRequest {
  url: string;
  method: 'GET' | 'POST';
  params: Readonly<Record<string, string>>;
  authToken: string;
  idempotencyToken: string;
  signal?: AbortSignal;
}

export type CallbackHttpResult =
  | {
      ok: true;
      status: number;
      /** What the business answered, for the request log. */
      headers?: IncomingHttpHeaders;
      body?: Buffer;
      attempts: number;
      latencyMs: number;
    }
  | {
      ok: false;
      errorCode: number;
      failure: string;
      message: string;
      status?: number;
      /** An error status's headers and the start of its body, for the request log. */
      response?: { headers: IncomingHttpHeaders; bodyExcerpt: Buffer };
      attempts: number;
      latencyMs: number;
    };

export interface CallbackSender {
  send(request: CallbackHttpRequest): Promise<CallbackHttpResult>;
}

export const CALLBACK_SENDER = Symbol('CALLBACK_SENDER');

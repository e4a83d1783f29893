import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { PARLEY_ENV } from '@parley/nest-kit';
import { AddressPolicy, TwilioHttpClient } from '@parley/webhooks';
import { type TwimlInterpreterEnv } from '../config/env.schema';
import { DocumentFetcher, type FetchRequest, type FetchResult } from './document-fetcher';
import { SigningKeys } from './signing-keys';

/**
 * Fetches TwiML the way Twilio does, through packages/webhooks: signed with the account's
 * auth token, the outbound address policy on every hop, connection overrides, retries
 * under one idempotency token, Twilio's error codes and the 64 kB limit.
 */
@Injectable()
export class TwilioDocumentFetcher extends DocumentFetcher {
  private readonly client: TwilioHttpClient;

  constructor(
    private readonly keys: SigningKeys,
    @Inject(PARLEY_ENV) env: TwimlInterpreterEnv,
  ) {
    super();
    this.client = new TwilioHttpClient({
      policy: new AddressPolicy({ allowPrivateNetworks: env.TWIML_FETCH_ALLOW_PRIVATE_NETWORKS }),
    });
  }

  async fetch(request: FetchRequest): Promise<FetchResult> {
    let authToken: string;
    try {
      authToken = await this.keys.authToken(request.accountSid);
    } catch (error) {
      // Without the key nothing can be signed, and an unsigned request is never sent.
      return {
        ok: false,
        errorCode: 11200,
        message: `no signing key for the account: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
    const result = await this.client.send({
      url: request.url,
      method: request.method,
      params: request.parameters,
      authToken,
      idempotencyToken: randomUUID(),
      accept: 'text/xml, application/xml, text/html;q=0.9, */*;q=0.1',
      signal: AbortSignal.timeout(request.timeoutMs),
    });
    if (!result.ok) return { ok: false, errorCode: result.errorCode, message: result.message };
    return {
      ok: true,
      status: result.status,
      contentType: result.contentType,
      body: result.body.toString('utf8'),
      finalUrl: result.finalUrl,
    };
  }
}

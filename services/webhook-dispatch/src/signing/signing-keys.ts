import { Inject, Injectable } from '@nestjs/common';
import { NatsBus } from '@parley/contracts';
import { PARLEY_ENV } from '@parley/nest-kit';
import { type WebhookDispatchEnv } from '../config/env.schema';

/**
 * Accounts' auth tokens, the keys of `X-Twilio-Signature`. Only call-control holds them
 * (sealed); they are asked for per account (`calls.v1.account.signing-key`), kept in
 * memory briefly so a rotated token is picked up soon, and never logged.
 */
@Injectable()
export class SigningKeys {
  private readonly cache = new Map<string, { token: string; expiresAt: number }>();

  constructor(
    private readonly bus: NatsBus,
    @Inject(PARLEY_ENV) private readonly env: WebhookDispatchEnv,
  ) {}

  async authToken(accountSid: string): Promise<string> {
    const now = Date.now();
    const cached = this.cache.get(accountSid);
    if (cached && cached.expiresAt > now) return cached.token;
    const reply = await this.bus.request(
      'calls.v1.account.signing-key',
      { accountSid },
      { timeoutMs: this.env.NATS_REQUEST_TIMEOUT_MS },
    );
    if (this.env.SIGNING_KEY_CACHE_MS > 0) {
      this.cache.set(accountSid, {
        token: reply.authToken,
        expiresAt: now + this.env.SIGNING_KEY_CACHE_MS,
      });
    }
    return reply.authToken;
  }
}

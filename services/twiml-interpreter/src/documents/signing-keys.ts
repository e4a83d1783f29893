import { Inject, Injectable } from '@nestjs/common';
import { NatsBus, type AccountSid } from '@parley/contracts';
import { PARLEY_ENV } from '@parley/nest-kit';
import { type TwimlInterpreterEnv } from '../config/env.schema';

/**
 * Accounts' auth tokens, asked from call-control (which holds them sealed) and kept in
 * memory for `SIGNING_KEY_CACHE_MS` so a rotated token is picked up soon. Never logged.
 */
@Injectable()
export class SigningKeys {
  private readonly cache = new Map<string, { authToken: string; expiresAt: number }>();

  constructor(
    private readonly bus: NatsBus,
    @Inject(PARLEY_ENV) private readonly env: TwimlInterpreterEnv,
  ) {}

  async authToken(accountSid: AccountSid): Promise<string> {
    const cached = this.cache.get(accountSid);
    if (cached && cached.expiresAt > Date.now()) return cached.authToken;
    const reply = await this.bus.request(
      'calls.v1.account.signing-key',
      { accountSid },
      { timeoutMs: this.env.NATS_REQUEST_TIMEOUT_MS },
    );
    this.cache.set(accountSid, {
      authToken: reply.authToken,
      expiresAt: Date.now() + this.env.SIGNING_KEY_CACHE_MS,
    });
    return reply.authToken;
  }
}

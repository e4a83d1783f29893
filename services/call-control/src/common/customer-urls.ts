import { Inject, Injectable } from '@nestjs/common';
import { type ErrorCode, ParleyError } from '@parley/contracts';
import { PARLEY_ENV } from '@parley/nest-kit';
import { AddressPolicy, customerUrlProblem } from '@parley/webhooks';
import { type CallControlEnv } from '../config/env.schema';
import { truncate } from './twilio-form';

/**
 * The outbound-URL policy applied when a customer URL is set (Calls.json, a call update,
 * applications, recordings): a URL naming a private, loopback, link-local or reserved
 * address literal, or localhost, is refused with Twilio's code for the field (21609 for
 * status callbacks, 21205 for the others) instead of being stored and failing later.
 * The fetching services check again after DNS and on every redirect.
 */
@Injectable()
export class CustomerUrls {
  private readonly policy: AddressPolicy;

  constructor(@Inject(PARLEY_ENV) env: CallControlEnv) {
    this.policy = new AddressPolicy({
      allowPrivateNetworks: env.OUTBOUND_URL_ALLOW_PRIVATE_NETWORKS,
    });
  }

  /** Throws for the first field (in the order given) whose URL is not allowed. */
  assertAllowed(fields: Record<string, string | null | undefined>): void {
    for (const [name, value] of Object.entries(fields)) {
      if (value === undefined || value === null) continue;
      const problem = customerUrlProblem(value, this.policy);
      if (problem === null) continue;
      const code: ErrorCode = name.endsWith('StatusCallback') ? 21609 : 21205;
      throw new ParleyError(code, `${name} is not allowed: ${truncate(value)}: ${problem}`);
    }
  }
}

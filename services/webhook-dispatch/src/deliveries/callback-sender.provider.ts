import { type Provider } from '@nestjs/common';
import { PARLEY_ENV } from '@parley/nest-kit';
import { AddressPolicy, TwilioHttpClient } from '@parley/webhooks';
import { type WebhookDispatchEnv } from '../config/env.schema';
import { CALLBACK_SENDER, type CallbackSender } from './callback-sender';

/**
 * Callbacks leave through the one Twilio-style HTTP client of @parley/webhooks: signed,
 * connection overrides honoured, every address (and redirect hop) checked against the
 * outbound URL policy, whose allow-lists only development and tests set.
 */
export const callbackSenderProvider: Provider = {
  provide: CALLBACK_SENDER,
  inject: [PARLEY_ENV],
  useFactory: (env: WebhookDispatchEnv): CallbackSender =>
    new TwilioHttpClient({
      policy: new AddressPolicy({
        allowPrivateNetworks: env.WEBHOOK_ALLOW_PRIVATE_NETWORKS,
        allowHosts: env.WEBHOOK_ALLOW_HOSTS,
      }),
    }),
};

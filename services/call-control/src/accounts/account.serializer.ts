import { z } from 'zod';
import { accountPath, rfc2822 } from '../common/twilio-format';
import { registerComponent } from '../openapi/api-doc';
import { ACCOUNT_STATUSES, type AccountEntity } from './account.entity';

export const AccountResource = z.object({
  auth_token: z
    .string()
    .nullable()
    .describe("Shown only to the account's own credentials, never to an API key"),
  date_created: z.string().describe('RFC 2822'),
  date_updated: z.string().describe('RFC 2822'),
  friendly_name: z.string(),
  owner_account_sid: z.string(),
  sid: z.string(),
  status: z.enum(ACCOUNT_STATUSES),
  subresource_uris: z.object({ applications: z.string(), calls: z.string(), keys: z.string() }),
  type: z.literal('Full'),
  uri: z.string(),
});
registerComponent('Account', AccountResource);

/** Twilio's Account resource. */
export function serializeAccount(
  account: AccountEntity,
  authToken: string | null,
): z.infer<typeof AccountResource> {
  const base = accountPath(account.sid);
  return {
    auth_token: authToken,
    date_created: rfc2822(account.dateCreated) ?? '',
    date_updated: rfc2822(account.dateUpdated) ?? '',
    friendly_name: account.friendlyName,
    owner_account_sid: account.sid,
    sid: account.sid,
    status: account.status,
    subresource_uris: {
      applications: `${base}/Applications.json`,
      calls: `${base}/Calls.json`,
      keys: `${base}/Keys.json`,
    },
    type: 'Full',
    uri: `${base}.json`,
  };
}

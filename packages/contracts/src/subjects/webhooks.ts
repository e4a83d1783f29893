import { z } from 'zod';
import { AccountSid } from '../ids';

/**
 * Sends failed callbacks again (an operator's command): the given deliveries, or every
 * failed one of an account. Each goes out with its original request and idempotency token.
 */
export const DeliveriesRedriveRequestV1 = z
  .object({
    deliveryIds: z.array(z.string().uuid()).min(1).max(1_000).optional(),
    accountSid: AccountSid.optional(),
  })
  .refine((r) => r.deliveryIds !== undefined || r.accountSid !== undefined, {
    message: 'deliveryIds or accountSid is required',
  });
export const DeliveriesRedriveReplyV1 = z.object({ redriven: z.number().int().nonnegative() });

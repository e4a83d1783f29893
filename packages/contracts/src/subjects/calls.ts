import { z } from 'zod';
import { CallDirection, CallStatus } from '../enums';
import { AccountSid, CallSid } from '../ids';

/**
 * A call moved to a new status. call-control publishes one per transition, durably
 * (JetStream, de-duplicated by `${callSid}:${sequence}`), and the interpreter, consent
 * and webhook-dispatch consume it. `sequence` orders a call's transitions.
 */
export const CallStatusChangedV1 = z.object({
  callSid: CallSid,
  accountSid: AccountSid,
  parentCallSid: CallSid.nullable(),
  direction: CallDirection,
  from: z.string(),
  to: z.string(),
  status: CallStatus,
  previousStatus: CallStatus.nullable(),
  sequence: z.number().int().nonnegative(),
  occurredAt: z.string().datetime(),
});
export type CallStatusChangedV1 = z.infer<typeof CallStatusChangedV1>;

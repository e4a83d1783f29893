import { type RejectVerb as RejectNode } from '@parley/twiml';
import { type CallContext } from '../runtime/ports';
import { type Verb, type VerbOutcome } from './verb';

/**
 * `<Reject reason>`: a ringing call is declined at Meta and ends `busy` or unanswered,
 * never billed; on a call already answered it can only end it.
 */
export class RejectVerb implements Verb<RejectNode> {
  async execute(node: RejectNode, ctx: CallContext): Promise<VerbOutcome> {
    if (ctx.line.answered) return { next: 'hangup' };
    await ctx.line.reject(node.attributes.reason);
    return { next: 'ended' };
  }

  abort(): Promise<void> {
    return Promise.resolve();
  }
}

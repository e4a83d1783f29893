import { type HangupVerb as HangupNode } from '@parley/twiml';
import { type Verb, type VerbOutcome } from './verb';

/** `<Hangup>`: ends the call (declines it at Meta when it was never answered). */
export class HangupVerb implements Verb<HangupNode> {
  execute(): Promise<VerbOutcome> {
    return Promise.resolve({ next: 'hangup' });
  }

  abort(): Promise<void> {
    return Promise.resolve();
  }
}

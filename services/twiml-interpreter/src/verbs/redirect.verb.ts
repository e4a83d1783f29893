import { type RedirectVerb as RedirectNode } from '@parley/twiml';
import { type CallContext } from '../runtime/ports';
import { CONTINUE, type Verb, type VerbOutcome } from './verb';

/** `<Redirect method>url</Redirect>`: the call continues with the document at `url`. */
export class RedirectVerb implements Verb<RedirectNode> {
  execute(node: RedirectNode, ctx: CallContext): Promise<VerbOutcome> {
    const request = ctx.request(node.url, node.attributes.method);
    if (request === null) {
      ctx.warn(11100, `Redirect: cannot resolve the URL ${node.url}`);
      return Promise.resolve(CONTINUE);
    }
    return Promise.resolve({ next: 'fetch', via: 'redirect', request });
  }

  abort(): Promise<void> {
    return Promise.resolve();
  }
}

import { type GatherVerb as GatherNode, type MediaVerb } from '@parley/twiml';
import { throwIfAborted } from '../runtime/errors';
import { type CallContext } from '../runtime/ports';
import { CONTINUE, type Verb, type VerbOutcome } from './verb';

/** Runs one nested `<Say>`, `<Play>` or `<Pause>` of a Gather. */
export type NestedVerbRunner = (node: MediaVerb, ctx: CallContext) => Promise<VerbOutcome>;

/** Barge-in: the first key stops the prompts. Distinct from the call's own abort. */
class BargeIn extends Error {
  constructor() {
    super('barge-in');
    this.name = 'BargeIn';
  }
}

/**
 * `<Gather>` for DTMF: plays its nested prompts (the first key interrupts them, with
 * `bargeIn`), then collects keys until `numDigits`, `finishOnKey` or `timeout` seconds
 * without a key. With digits (or `actionOnEmptyResult`) the call goes to `action` with
 * `Digits`; without, the document continues after the Gather, as Twilio does.
 */
export class GatherVerb implements Verb<GatherNode> {
  constructor(private readonly runNested: NestedVerbRunner) {}

  async execute(node: GatherNode, ctx: CallContext): Promise<VerbOutcome> {
    const attrs = node.attributes;
    await ctx.line.answer();
    if (attrs.input.includes('speech')) {
      // No speech engine yet: keys still work, and the business sees why speech did not.
      ctx.warn(13750, 'Gather: speech input is not available; gathering DTMF only');
    }
    ctx.digits.clear();
    await this.prompt(node, ctx);

    const digits: string[] = [];
    let finishedOnKey = '';
    for (;;) {
      const key = await ctx.digits.next(attrs.timeout * 1000, ctx.signal);
      if (key === null) break;
      if (attrs.finishOnKey !== '' && key === attrs.finishOnKey) {
        finishedOnKey = key;
        break;
      }
      digits.push(key);
      await ctx.checkpoint({ gatherDigits: digits.join('') });
      if (attrs.numDigits !== undefined && digits.length >= attrs.numDigits) break;
    }

    if (digits.length === 0 && !attrs.actionOnEmptyResult) return CONTINUE;
    const request = ctx.request(attrs.action, attrs.method, {
      Digits: digits.join(''),
      FinishedOnKey: finishedOnKey,
    });
    return request === null ? CONTINUE : { next: 'fetch', via: 'action', request };
  }

  abort(): Promise<void> {
    return Promise.resolve();
  }

  /** The nested prompts, until they end or (with bargeIn) the first key. */
  private async prompt(node: GatherNode, ctx: CallContext): Promise<void> {
    if (node.children.length === 0) return;
    const barge = new AbortController();
    const stopOnKey = node.attributes.bargeIn
      ? ctx.digits.onPress(() => barge.abort(new BargeIn()))
      : () => undefined;
    const nested = ctx.withSignal(AbortSignal.any([ctx.signal, barge.signal]));
    try {
      for (const child of node.children) {
        if (barge.signal.aborted) break;
        await this.runNested(child, nested);
      }
    } catch (error) {
      if (!(error instanceof BargeIn) || ctx.signal.aborted) throw error;
    } finally {
      stopOnKey();
    }
    throwIfAborted(ctx.signal);
  }
}

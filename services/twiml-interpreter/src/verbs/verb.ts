import { type Verb as TwimlVerb } from '@parley/twiml';
import { type DocumentRequest } from '../documents/document-source';
import { type CallContext } from '../runtime/ports';

export type VerbKind = TwimlVerb['kind'];
export type VerbNode<K extends VerbKind> = Extract<TwimlVerb, { kind: K }>;

/** What the session does after a verb. */
export type VerbOutcome =
  /** Run the next verb of the document. */
  | { next: 'continue' }
  /** Replace the document: an action URL (`via: 'action'`) or `<Redirect>`. */
  | { next: 'fetch'; via: 'action' | 'redirect'; request: DocumentRequest }
  /** End the call (`<Hangup>`). */
  | { next: 'hangup' }
  /** The verb already ended the call (`<Reject>`). */
  | { next: 'ended' }
  /**
   * The caller hung up during the verb: its `action` is still requested, as Twilio does
   * (`<Record>` with `Digits=hangup`, `<Dial>` with the dial's outcome), and the answer
   * is ignored.
   */
  | { next: 'notify'; request: DocumentRequest };

/**
 * One TwiML verb. A new instance runs each occurrence, so it may keep what it started
 * (a prompt, a recording) to undo in `abort`, which the session calls when the call is
 * redirected or hung up while the verb runs (after `ctx.signal` fired).
 */
export interface Verb<N> {
  execute(node: N, ctx: CallContext): Promise<VerbOutcome>;
  abort(): Promise<void>;
}

export const CONTINUE: VerbOutcome = Object.freeze({ next: 'continue' });

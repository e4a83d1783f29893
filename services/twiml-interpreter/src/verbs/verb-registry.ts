import { Injectable } from '@nestjs/common';
import { type Verb as TwimlVerb } from '@parley/twiml';
import { type CallContext } from '../runtime/ports';
import { DialVerb } from './dial.verb';
import { ConnectVerb } from './connect.verb';
import { GatherVerb } from './gather.verb';
import { HangupVerb } from './hangup.verb';
import { PauseVerb } from './pause.verb';
import { PlayVerb } from './play.verb';
import { RecordVerb } from './record.verb';
import { RedirectVerb } from './redirect.verb';
import { RejectVerb } from './reject.verb';
import { SayVerb } from './say.verb';
import { StartVerb } from './start.verb';
import { StopVerb } from './stop.verb';
import { UnsupportedVerb } from './unsupported.verb';
import { type Verb, type VerbKind, type VerbNode, type VerbOutcome } from './verb';

/** How to make the verb of each kind: one entry per AST verb kind, checked by the compiler. */
export type VerbFactories = { readonly [K in VerbKind]: () => Verb<VerbNode<K>> };

/** The verbs Parley runs, by AST kind. A new kind in `@parley/twiml` fails to compile here. */
@Injectable()
export class VerbRegistry {
  private readonly factories: VerbFactories;

  constructor() {
    const unsupported = () => new UnsupportedVerb();
    this.factories = {
      Say: () => new SayVerb(),
      Play: () => new PlayVerb(),
      Pause: () => new PauseVerb(),
      Gather: () => new GatherVerb((node, ctx) => this.runNested(node, ctx)),
      Record: () => new RecordVerb(),
      Hangup: () => new HangupVerb(),
      Reject: () => new RejectVerb(),
      Redirect: () => new RedirectVerb(),
      Dial: () => new DialVerb((node, ctx) => this.runNested(node, ctx)),
      Enqueue: unsupported,
      Leave: unsupported,
      Connect: () => new ConnectVerb(),
      Start: () => new StartVerb(),
      Stop: () => new StopVerb(),
      Refer: unsupported,
      Pay: unsupported,
      Echo: unsupported,
      Sms: unsupported,
    };
  }

  /** A fresh verb for `node`. */
  create<K extends VerbKind>(node: VerbNode<K>): Verb<VerbNode<K>> {
    const factory: () => Verb<VerbNode<K>> = this.factories[node.kind];
    return factory();
  }

  /** Runs a verb inside another (a Gather's prompts, a Dial's whisper document). */
  private async runNested(node: TwimlVerb, ctx: CallContext): Promise<VerbOutcome> {
    const verb = this.create(node) as Verb<TwimlVerb>;
    try {
      return await verb.execute(node, ctx);
    } finally {
      if (ctx.signal.aborted) await verb.abort();
    }
  }
}

import { newSid } from '@parley/contracts';
import { type RecordVerb as RecordNode } from '@parley/twiml';
import { SessionAbortedError } from '../runtime/errors';
import { type CallContext } from '../runtime/ports';
import { CONTINUE, type Verb, type VerbOutcome } from './verb';

/**
 * `<Record>`: records the caller (media, source RecordVerb) until `finishOnKey`,
 * `timeout` seconds of silence or `maxLength`, then requests `action` with
 * `RecordingUrl`, `RecordingSid`, `RecordingDuration` and `Digits`. A recording without
 * audio continues the document, as Twilio does. When the caller hangs up, the recording
 * is kept and `action` still gets it, with `Digits=hangup`.
 */
export class RecordVerb implements Verb<RecordNode> {
  async execute(node: RecordNode, ctx: CallContext): Promise<VerbOutcome> {
    const attrs = node.attributes;
    await ctx.line.answer();
    const recordingSid = newSid('RE');
    const finished = await ctx.media.record(
      {
        recordingSid,
        channels: 'mono',
        source: 'RecordVerb',
        // `<Record>` records what the caller says.
        track: 'inbound',
        maxLengthSec: attrs.maxLength,
        silenceTimeoutSec: Math.min(attrs.timeout, 3600),
        playBeep: attrs.playBeep,
        trimSilence: attrs.trim === 'trim-silence',
        finishOnKey: attrs.finishOnKey.replace(/[^0-9*#]/g, ''),
      },
      ctx.signal,
    );
    const { completed } = finished;
    if (completed.status !== 'completed' || finished.mediaUrl === null) {
      // Nothing recorded: the document goes on, or the call is over.
      if (finished.callerHungUp) throw new SessionAbortedError('caller-hangup');
      return CONTINUE;
    }
    const parameters = {
      RecordingUrl: finished.mediaUrl,
      RecordingSid: recordingSid,
      RecordingDuration: String(completed.durationSec),
      Digits: finished.callerHungUp ? 'hangup' : (completed.finishedOnKey ?? ''),
    };
    if (finished.callerHungUp) {
      // Twilio still posts the recording to `action` (Digits=hangup); the call is over.
      const request = ctx.request(attrs.action, attrs.method, {
        ...parameters,
        CallStatus: 'completed',
      });
      if (request === null) throw new SessionAbortedError('caller-hangup');
      return { next: 'notify', request };
    }
    const request = ctx.request(attrs.action, attrs.method, parameters);
    return request === null ? CONTINUE : { next: 'fetch', via: 'action', request };
  }

  abort(): Promise<void> {
    // The media port stops the recording when the signal fires.
    return Promise.resolve();
  }
}

import {
  type DialCallStatus,
  isTerminalCallStatus,
  ParleyError,
  type StatusCallbackConfig,
} from '@parley/contracts';
import {
  type DialVerb as DialNode,
  type Verb as TwimlVerb,
  type WhatsAppNoun,
} from '@parley/twiml';
import { type DocumentRequest } from '../documents/document-source';
import { isCallerHangup, throwIfAborted } from '../runtime/errors';
import {
  type CallContext,
  type ChildCall,
  type ChildCallState,
  type DialRecording,
} from '../runtime/ports';
import { CONTINUE, type Verb, type VerbOutcome } from './verb';

/** Runs one verb of a whisper document on the child's leg. */
export type WhisperVerbRunner = (node: TwimlVerb, ctx: CallContext) => Promise<VerbOutcome>;

/** What the `<Dial>` came to: the action URL's `DialCallStatus`, `DialCallSid`... */
export interface DialResult {
  status: DialCallStatus;
  child: ChildCall | null;
  bridged: boolean;
  durationSec: number | null;
  /** `RecordingUrl` of `<Dial record>`, when recorded. */
  recordingUrl?: string | null;
}

/** The child hung up (or was hung up) while its whisper ran. */
class ChildGone extends Error {
  constructor() {
    super('the dialed party hung up');
    this.name = 'ChildGone';
  }
}

/** Ringback ends because the parties are about to be connected. */
class RingbackDone extends Error {
  constructor() {
    super('ringback done');
    this.name = 'RingbackDone';
  }
}

/** If call-control's ring timer never ends an unanswered child, the verb does, this much later. */
const RING_GUARD_EXTRA_SEC = 15;
/** After the caller hung up, how long to wait for the child's final status for the action. */
const CHILD_END_WAIT_MS = 5_000;

/** A child's final status as `<Dial>` reports it. */
export function dialCallStatus(state: ChildCallState): DialCallStatus {
  if (state.answered) return 'completed';
  const { status } = state;
  if (status === 'busy' || status === 'no-answer' || status === 'canceled') return status;
  // Failed, or ended without ever being answered: nothing was connected.
  return 'failed';
}

/**
 * `<Dial><WhatsApp>`: places a child call from the `callerId` sender (call-control checks
 * the sender and the user's permission before anything reaches Meta), lets the caller hear
 * ringback (or keeps an unanswered call ringing with `answerOnBridge`), runs the noun's
 * `url` whisper on the answered child, answers the caller and bridges the two, and waits
 * until either side hangs up (or, with `hangupOnStar`, the caller presses `*`). The
 * `action` URL then gets `DialCallStatus`, `DialCallSid`, `DialCallDuration` and
 * `DialBridged`; without `action` the document goes on. `timeout` and `timeLimit` are the
 * child's own ring deadline and time limit in call-control.
 */
export class DialVerb implements Verb<DialNode> {
  private child: ChildCall | null = null;
  private bridged = false;
  private recording: DialRecording | null = null;

  constructor(private readonly runWhisperVerb: WhisperVerbRunner) {}

  async execute(node: DialNode, ctx: CallContext): Promise<VerbOutcome> {
    const { action, method } = node.attributes;
    try {
      const dialed = await this.dial(node, ctx);
      await this.stopRecording();
      const result = { ...dialed, recordingUrl: this.recording?.mediaUrl ?? null };
      if (action === undefined) return CONTINUE;
      const request = ctx.request(action, method, dialParameters(result));
      return request === null ? CONTINUE : { next: 'fetch', via: 'action', request };
    } catch (error) {
      if (!isCallerHangup(error)) throw error;
      if (action === undefined) {
        await this.stopRecording();
        await this.endChild();
        throw error;
      }
      // The caller hung up: the child goes too, and the action still hears how it ended.
      const result = {
        ...(await this.afterCallerHangup()),
        recordingUrl: this.recording?.mediaUrl ?? null,
      };
      const request = ctx.request(action, method, {
        ...dialParameters(result),
        CallStatus: 'completed',
      });
      if (request === null) throw error;
      return { next: 'notify', request };
    } finally {
      this.child?.release();
    }
  }

  async abort(): Promise<void> {
    await this.stopRecording();
    await this.endChild();
  }

  private async dial(node: DialNode, ctx: CallContext): Promise<DialResult> {
    const attrs = node.attributes;
    const failed: DialResult = { status: 'failed', child: null, bridged: false, durationSec: null };
    const other = node.nouns.find((n) => n.kind !== 'WhatsApp');
    if (other !== undefined) {
      ctx.warn(
        13215,
        other.kind === 'Number'
          ? 'Dial: WhatsApp calls cannot be connected to phone numbers (<Number>); the dial failed'
          : `Dial: <${other.kind}> cannot be dialed by Parley yet; the dial failed`,
      );
      return failed;
    }
    const nouns = node.nouns.filter((n): n is WhatsAppNoun => n.kind === 'WhatsApp');
    const noun = nouns[0];
    if (noun === undefined) return failed;
    if (nouns.length > 1) {
      ctx.warn(
        13215,
        `Dial: Parley dials one <WhatsApp> at a time; ${nouns.length - 1} more ignored`,
      );
    }
    const callerId = attrs.callerId;
    if (callerId === undefined || !callerId.startsWith('whatsapp:')) {
      ctx.warn(13212, 'Dial: <WhatsApp> needs callerId="whatsapp:+E.164", a WhatsApp sender');
      return failed;
    }

    // Twilio answers the caller first, unless answerOnBridge keeps the call ringing.
    if (!attrs.answerOnBridge) await ctx.line.answer();
    const ringback = this.ringback(attrs.ringTone, ctx);
    let answered: ChildCallState;
    let child: ChildCall;
    try {
      try {
        child = await ctx.dial.place({
          from: callerId,
          to: `whatsapp:${noun.phoneNumber.replace(/^whatsapp:/, '')}`,
          timeoutSec: attrs.timeout,
          timeLimitSec: attrs.timeLimit,
          statusCallback: this.statusCallback(noun, ctx),
        });
      } catch (error) {
        if (!(error instanceof ParleyError)) throw error;
        ctx.warn(error.code, `Dial: ${error.message}`);
        return failed;
      }
      this.child = child;
      throwIfAborted(ctx.signal);
      if (attrs.record.startsWith('record-from-ringing'))
        await this.startRecording(node, child, ctx);
      answered = await this.untilAnswered(child, attrs.timeout, ctx);
      if (!answered.answered) return this.result(answered, false);
      if (noun.attributes.url !== undefined) {
        const verdict = await this.whisper(noun.attributes.url, noun.attributes.method, child, ctx);
        if (verdict === 'declined') {
          await child.hangup();
          const ended = await child.until((s) => isTerminalCallStatus(s.status), ctx.signal);
          // The called party turned the call down: nothing was connected.
          return { status: 'no-answer', child, bridged: false, durationSec: ended.durationSec };
        }
      }
      // answerOnBridge: the caller's call is answered only now.
      await ctx.line.answer();
    } finally {
      await ringback();
    }

    await child.bridge();
    this.bridged = true;
    if (attrs.record.startsWith('record-from-answer')) await this.startRecording(node, child, ctx);
    const stopOnStar = attrs.hangupOnStar
      ? ctx.digits.onPress((digit) => {
          if (digit === '*') void child.hangup().catch(() => undefined);
        })
      : () => undefined;
    try {
      const ended = await child.until((s) => isTerminalCallStatus(s.status), ctx.signal);
      return this.result(ended, true);
    } finally {
      stopOnStar();
      await child.unbridge().catch(() => undefined);
    }
  }

  /** Waits for the child to answer or end; hangs it up if call-control's ring timer never fires. */
  private async untilAnswered(
    child: ChildCall,
    timeoutSec: number,
    ctx: CallContext,
  ): Promise<ChildCallState> {
    let guarded = false;
    const guard = setTimeout(
      () => {
        guarded = true;
        void child.hangup().catch(() => undefined);
      },
      (timeoutSec + RING_GUARD_EXTRA_SEC) * 1000,
    );
    try {
      const state = await child.until(
        (s) => s.answered || isTerminalCallStatus(s.status),
        ctx.signal,
      );
      return guarded && !state.answered ? { ...state, status: 'no-answer' } : state;
    } finally {
      clearTimeout(guard);
    }
  }

  private result(state: ChildCallState, bridged: boolean): DialResult {
    return {
      status: dialCallStatus(state),
      child: this.child,
      bridged,
      durationSec: state.durationSec,
    };
  }

  /**
   * The caller hears ringback while the child rings (`ringTone`, US by default); a call
   * still unanswered (answerOnBridge) hears nothing from us: WhatsApp shows it ringing.
   * Returns what stops it.
   */
  private ringback(ringTone: string | undefined, ctx: CallContext): () => Promise<void> {
    if (!ctx.line.answered) return () => Promise.resolve();
    const stop = new AbortController();
    const country = ringTone === undefined || ringTone === 'us-old' ? 'us' : ringTone;
    const playing = ctx.media
      .play({ kind: 'ringback', country }, 0, AbortSignal.any([ctx.signal, stop.signal]))
      .catch(() => undefined);
    return async () => {
      stop.abort(new RingbackDone());
      await playing;
    };
  }

  /**
   * The noun's `url` document on the answered child, before the parties are connected:
   * `connect` when it runs out of verbs, `declined` when it hangs up, fails or the child
   * hangs up. Its `<Gather action>` documents are whispers too.
   */
  private async whisper(
    url: string,
    method: 'GET' | 'POST',
    child: ChildCall,
    ctx: CallContext,
  ): Promise<'connect' | 'declined'> {
    const target = ctx.resolveUrl(url);
    if (target === null) {
      ctx.warn(11200, `Dial: the whisper URL ${url.slice(0, 100)} is not valid`);
      return 'declined';
    }
    const gone = new AbortController();
    const watch = new AbortController();
    child
      .until((s) => isTerminalCallStatus(s.status), AbortSignal.any([ctx.signal, watch.signal]))
      .then(
        () => gone.abort(new ChildGone()),
        () => undefined,
      );
    const signal = AbortSignal.any([ctx.signal, gone.signal]);
    try {
      let request: DocumentRequest | null = child.context(signal, null).request(target, method);
      while (request !== null) {
        const loaded = await child.loadWhisper(request);
        throwIfAborted(signal);
        if (!loaded.ok) {
          ctx.warn(loaded.code, `Dial: the whisper document failed: ${loaded.message}`);
          return 'declined';
        }
        const whisperCtx = child.context(signal, loaded.url);
        request = null;
        for (const verb of loaded.document.verbs) {
          const outcome = await this.runWhisperVerb(verb, whisperCtx);
          if (outcome.next === 'continue') continue;
          if (outcome.next === 'fetch') {
            request = outcome.request;
            break;
          }
          return 'declined';
        }
      }
      return 'connect';
    } catch (error) {
      if (gone.signal.aborted && !ctx.signal.aborted) return 'declined';
      throw error;
    } finally {
      watch.abort();
    }
  }

  /**
   * `record`: the parent and the child, mixed or on two channels (parent first), as a
   * Recording of the parent call with `recordingStatusCallback`. A recording that cannot
   * start is a warning: the dial goes on, as Twilio's does.
   */
  private async startRecording(node: DialNode, child: ChildCall, ctx: CallContext): Promise<void> {
    const attrs = node.attributes;
    let statusCallback = null;
    if (attrs.recordingStatusCallback !== undefined) {
      const url = ctx.resolveUrl(attrs.recordingStatusCallback);
      if (url === null) ctx.warn(11200, 'Dial: recordingStatusCallback is not a valid URL');
      else
        statusCallback = {
          url,
          method: attrs.recordingStatusCallbackMethod,
          events: [...attrs.recordingStatusCallbackEvent],
        };
    }
    try {
      this.recording = await child.record({
        // Twilio records one track in mono only.
        channels:
          attrs.record.endsWith('-dual') && attrs.recordingTrack === 'both' ? 'dual' : 'mono',
        track: attrs.recordingTrack,
        trimSilence: attrs.trim === 'trim-silence',
        statusCallback,
      });
    } catch (error) {
      if (!(error instanceof ParleyError)) throw error;
      ctx.warn(error.code, `Dial: the recording could not start: ${error.message}`);
    }
  }

  private async stopRecording(): Promise<void> {
    const recording = this.recording;
    if (recording === null) return;
    // Ends with the dial; a recording already ended with its call is fine.
    await recording.stop().catch(() => undefined);
  }

  private statusCallback(noun: WhatsAppNoun, ctx: CallContext): StatusCallbackConfig | null {
    const { statusCallback, statusCallbackMethod, statusCallbackEvent } = noun.attributes;
    if (statusCallback === undefined) return null;
    const url = ctx.resolveUrl(statusCallback);
    if (url === null) {
      ctx.warn(11200, `Dial: statusCallback ${statusCallback.slice(0, 100)} is not a valid URL`);
      return null;
    }
    return { url, method: statusCallbackMethod, events: [...statusCallbackEvent] };
  }

  /** The caller hung up mid-dial: end the child and learn how it ended, briefly. */
  private async afterCallerHangup(): Promise<DialResult> {
    const child = this.child;
    if (child === null)
      return { status: 'canceled', child: null, bridged: false, durationSec: null };
    await this.endChild();
    const ended = await child
      .until((s) => isTerminalCallStatus(s.status), AbortSignal.timeout(CHILD_END_WAIT_MS))
      .catch(() => child.state);
    return {
      status: this.bridged ? 'completed' : dialCallStatus(ended),
      child,
      bridged: this.bridged,
      durationSec: ended.durationSec,
    };
  }

  private async endChild(): Promise<void> {
    const child = this.child;
    if (child === null || isTerminalCallStatus(child.state.status)) return;
    await child.hangup().catch(() => undefined);
    await child.unbridge().catch(() => undefined);
  }
}

/** The parameters Twilio adds to a `<Dial action>` request. */
export function dialParameters(result: DialResult): Record<string, string> {
  const params: Record<string, string> = {
    DialCallStatus: result.status,
    DialBridged: String(result.bridged),
  };
  if (result.child !== null) {
    params.DialCallSid = result.child.callSid;
    params.DialCallDuration = String(result.durationSec ?? 0);
  }
  if (result.recordingUrl) params.RecordingUrl = result.recordingUrl;
  return params;
}

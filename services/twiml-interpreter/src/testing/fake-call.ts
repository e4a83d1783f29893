import {
  type CallSid,
  type CallStatus,
  isTerminalCallStatus,
  type PlayFinishedV1,
  type PromptSource,
} from '@parley/contracts';
import { parseTwiml, type Verb as TwimlVerb } from '@parley/twiml';
import { type DocumentRequest } from '../documents/document-source';
import { ChildCallTracker } from '../runtime/child-call-tracker';
import { abortReason, SessionAbortedError } from '../runtime/errors';
import {
  type CallContext,
  type ChildCall,
  type DialRecordingOptions,
  type FinishedRecording,
  type MediaPort,
  type PlaceChildRequest,
} from '../runtime/ports';
import { DigitBuffer } from '../runtime/waiters';

export const PARENT_SID = 'CA00000000000000000000000000000001' as CallSid;
export const CHILD_SID = 'CA00000000000000000000000000000002' as CallSid;
const APP = 'https://app.example.com/ivr/start';

/** The first verb of `<Response>${xml}</Response>`, of the expected kind. */
export function verbOf<K extends TwimlVerb['kind']>(
  kind: K,
  xml: string,
): Extract<TwimlVerb, { kind: K }> {
  const parsed = parseTwiml(`<Response>${xml}</Response>`);
  if (!parsed.ok) throw new Error(parsed.error.message);
  const verb = parsed.document.verbs[0];
  if (verb?.kind !== kind) throw new Error(`not a ${kind}`);
  return verb as Extract<TwimlVerb, { kind: K }>;
}

/** A prompt the fake media played, on which leg, and whether it was stopped. */
export interface FakePrompt {
  callSid: string;
  source: PromptSource;
  stopped: boolean;
}

/** Waits (macrotask by macrotask) until `probe` holds; fails after many turns. */
export async function settle(what: string, probe: () => boolean): Promise<void> {
  for (let i = 0; i < 2_000; i++) {
    if (probe()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`never happened: ${what}`);
}

/**
 * A `<Dial>` child the test drives: `report` is what call-control would publish; hanging it
 * up ends it as call-control does (canceled while it rings, completed once answered).
 */
export class FakeChild {
  readonly tracker = new ChildCallTracker();
  readonly log: string[] = [];
  private sequence = 0;

  constructor(
    readonly callSid: CallSid,
    readonly request: PlaceChildRequest,
  ) {}

  report(status: CallStatus, durationSec: number | null = null): void {
    this.tracker.report({ status, sequence: this.sequence++, durationSec, errorCode: null });
  }

  hangup(): void {
    this.log.push('hangup');
    const { state } = this.tracker;
    if (isTerminalCallStatus(state.status)) return;
    this.report(state.answered ? 'completed' : 'canceled', state.answered ? 7 : null);
  }
}

/**
 * One call for verb tests: its keys, prompts (which last until stopped or `endPrompts`),
 * answer state, warnings, and `<Dial>` children. Whisper documents are served from `whispers`.
 */
export class FakeCall {
  readonly digits = new DigitBuffer();
  readonly prompts: FakePrompt[] = [];
  readonly warnings: number[] = [];
  readonly children: FakeChild[] = [];
  readonly whispers = new Map<string, string>();
  readonly events: string[] = [];
  /** `<Dial record>` recordings asked for. */
  readonly recordings: DialRecordingOptions[] = [];
  /** What `calls.v1.call.dial` answers instead of a child (a refusal). */
  refuseDial: Error | null = null;
  recording: FinishedRecording | null = null;
  answered = false;
  private readonly controller = new AbortController();
  private readonly childDigits = new DigitBuffer();

  readonly ctx: CallContext;

  constructor() {
    this.ctx = this.context(this.controller.signal, PARENT_SID, this.digits, APP);
  }

  /** The caller hangs up: the session's signal fires. */
  hangUp(): void {
    this.controller.abort(new SessionAbortedError('caller-hangup'));
  }

  get child(): FakeChild {
    const child = this.children[0];
    if (!child) throw new Error('nothing was dialed');
    return child;
  }

  /** Keys pressed on the child's leg (during its whisper). */
  pressOnChild(digit: string): void {
    this.childDigits.push(digit);
  }

  private media(callSid: string): MediaPort {
    return {
      play: (source, _loop, signal) =>
        new Promise<PlayFinishedV1>((_resolve, reject) => {
          const prompt = { callSid, source, stopped: false };
          this.prompts.push(prompt);
          this.events.push(`play:${source.kind}:${callSid === PARENT_SID ? 'parent' : 'child'}`);
          const stop = () => {
            prompt.stopped = true;
            this.events.push(`stop:${source.kind}`);
            reject(abortReason(signal));
          };
          if (signal.aborted) return stop();
          signal.addEventListener('abort', stop, { once: true });
        }),
      record: () =>
        this.recording
          ? Promise.resolve(this.recording)
          : Promise.reject(new Error('no recording set up')),
    };
  }

  private context(
    signal: AbortSignal,
    callSid: CallSid,
    digits: DigitBuffer,
    documentUrl: string,
  ): CallContext {
    const isParent = callSid === PARENT_SID;
    const parameters = { CallSid: callSid };
    const isAnswered = () => (isParent ? this.answered : true);
    return {
      callSid,
      signal,
      digits,
      parameters,
      line: {
        get answered() {
          return isAnswered();
        },
        answer: () => {
          if (isParent && !this.answered) {
            this.answered = true;
            this.events.push('answer');
          }
          return Promise.resolve();
        },
        reject: () => Promise.resolve(),
        hangup: () => Promise.resolve(),
      },
      media: this.media(callSid),
      // Dial's tests use no <Stream>: a verb reaching for one fails the test.
      streams: {
        startStream: () => Promise.reject(new Error('no streams in a dial test')),
        connectStream: () => Promise.reject(new Error('no streams in a dial test')),
        stopStreams: () => Promise.reject(new Error('no streams in a dial test')),
      },
      dial: { place: (request) => this.place(request) },
      resolveUrl: (url) => new URL(url, documentUrl).toString(),
      request: (url, method, extra): DocumentRequest => ({
        source: {
          kind: 'url',
          url: new URL(url ?? '', documentUrl).toString(),
          method,
          fallback: null,
        },
        parameters: { ...parameters, ...extra },
      }),
      warn: (code) => {
        this.warnings.push(code);
      },
      checkpoint: () => Promise.resolve(),
      withSignal: (other) => this.context(other, callSid, digits, documentUrl),
    };
  }

  private place(request: PlaceChildRequest): Promise<ChildCall> {
    if (this.refuseDial) return Promise.reject(this.refuseDial);
    const child = new FakeChild(CHILD_SID, request);
    this.children.push(child);
    child.report('initiated');
    this.events.push('dial');
    const call: ChildCall = {
      callSid: CHILD_SID,
      get state() {
        return child.tracker.state;
      },
      until: (done, signal) => child.tracker.until(done, signal),
      hangup: () => {
        child.hangup();
        this.events.push('hangup-child');
        return Promise.resolve();
      },
      bridge: () => {
        child.log.push('bridge');
        this.events.push('bridge');
        return Promise.resolve();
      },
      unbridge: () => {
        child.log.push('unbridge');
        return Promise.resolve();
      },
      record: (options) => {
        this.recordings.push(options);
        child.log.push('record');
        return Promise.resolve({
          recordingSid: 'RE00000000000000000000000000000001',
          mediaUrl: 'https://parley.example.com/Recordings/RE00000000000000000000000000000001',
          stop: () => {
            child.log.push('record-stop');
            return Promise.resolve();
          },
        });
      },
      context: (signal, url) =>
        this.context(signal, CHILD_SID, this.childDigits, url ?? 'https://app.example.com/'),
      loadWhisper: (req) => {
        const url = req.source.kind === 'url' ? req.source.url : '';
        const xml = this.whispers.get(url);
        if (xml === undefined) {
          return Promise.resolve({ ok: false, code: 11200, message: `HTTP 404 from ${url}` });
        }
        const parsed = parseTwiml(xml, { context: 'whisper' });
        return Promise.resolve(
          parsed.ok
            ? { ok: true, document: parsed.document, url }
            : { ok: false, code: parsed.error.code, message: parsed.error.message },
        );
      },
      release: () => {
        child.log.push('release');
      },
    };
    return Promise.resolve(call);
  }
}

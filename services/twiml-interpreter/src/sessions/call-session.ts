import { randomUUID } from 'node:crypto';
import {
  type AccountSid,
  BusRequestError,
  type CallSid,
  type CallStatusChangedV1,
  type ErrorCode,
  type HttpMethod,
  isTerminalCallStatus,
  type NatsBus,
  ParleyError,
  type PlayFinishedV1,
  type PromptSource,
  type RecordingCompletedV1,
  type RecordingStartRequestV1,
  type SessionStartRequestV1,
  type StreamEndedV1,
} from '@parley/contracts';
import { type ParleyLogger } from '@parley/nest-kit';
import { type Verb as TwimlVerb } from '@parley/twiml';
import { type DocumentLoader } from '../documents/document-loader';
import { type DocumentRequest } from '../documents/document-source';
import { type SessionProgress } from './call-sessions.repository';
import { type VerbRegistry } from '../verbs/verb-registry';
import { ChildCallTracker } from '../runtime/child-call-tracker';
import {
  abortReason,
  delay,
  SessionAbortedError,
  throwIfAborted,
  TwimlFailure,
} from '../runtime/errors';
import {
  type CallContext,
  type ChildCall,
  type DialPort,
  type FinishedRecording,
  type LinePort,
  type MediaPort,
  type PlaceChildRequest,
  type StreamRequest,
  type StreamsPort,
} from '../runtime/ports';
import { DigitBuffer, Waiters } from '../runtime/waiters';

export interface CallSessionDeps {
  bus: NatsBus;
  loader: DocumentLoader;
  registry: VerbRegistry;
  logger: ParleyLogger;
  /**
   * Saves the session's position; called at every verb boundary. Rejects with
   * `SessionAbortedError('moved')` once another replica owns the call.
   */
  save: (progress: SessionProgress) => Promise<void>;
  requestTimeoutMs: number;
  maxRedirects: number;
  /** Routes a `<Dial>` child's key presses and prompt ends to this session, until released. */
  adoptChild: (childSid: CallSid) => void;
  releaseChild: (childSid: CallSid) => void;
}

/** How long to wait for call-control to publish a finished recording's URL. */
const RECORDING_URL_WAIT_MS = 15_000;
/** After the caller hung up, how long a recording may take to be reported finished. */
const RECORDING_HANGUP_WAIT_MS = 15_000;
/** call-control places the child at once (media offer, Meta `connect`): allow for Meta. */
const DIAL_REQUEST_TIMEOUT_MS = 20_000;

/** A `<Dial>` child of this call, as far as this session follows it. */
interface ChildLeg {
  readonly tracker: ChildCallTracker;
  readonly digits: DigitBuffer;
  /** Placed by this session's dial (its reply arrived). */
  adopted: boolean;
}

/** One call leg the verbs run on: the call itself, or a child during its whisper. */
interface LegView {
  callSid: CallSid;
  line: LinePort;
  media: MediaPort;
  digits: DigitBuffer;
  parameters: () => Readonly<Record<string, string>>;
  documentUrl: () => string | null;
}

/** The document request a `twiml.v1.session.start`/`.redirect` asks for. */
export function initialRequest(start: SessionStartRequestV1): DocumentRequest {
  const { document } = start;
  return {
    parameters: start.parameters,
    source:
      document.kind === 'twiml'
        ? { kind: 'twiml', twiml: document.twiml }
        : {
            kind: 'url',
            url: document.url,
            method: document.method,
            fallback: document.fallbackUrl
              ? { url: document.fallbackUrl, method: document.fallbackMethod }
              : null,
          },
  };
}

/**
 * One call's TwiML run: loads a document, runs its verbs one after the other through the
 * registry, follows actions and redirects, and ends the call when the document ends or
 * fails. It holds the call's live state (keys pressed, prompts and recordings awaited),
 * which the sessions service feeds from NATS events.
 */
export class CallSession implements LinePort, MediaPort, DialPort, StreamsPort {
  readonly callSid: CallSid;
  readonly accountSid: AccountSid;
  readonly digits = new DigitBuffer();
  private readonly plays = new Waiters<PlayFinishedV1>();
  private readonly recordings = new Waiters<RecordingCompletedV1>();
  private readonly recordingUrls = new Waiters<string | null>();
  private readonly streamEnds = new Waiters<StreamEndedV1>();
  private readonly log: ParleyLogger;
  private parameters: Record<string, string>;
  private current = new AbortController();
  private redirectTo: DocumentRequest | null = null;
  private callEnded = false;
  private movedAway = false;
  private redirects = 0;
  private isAnswered: boolean;
  private documentUrl: string | null = null;
  private readonly children = new Map<string, ChildLeg>();
  /** A dial request timed out: children it may have created are hung up when they show. */
  private dialTimedOut = false;
  /** Settles when the session is over, whatever ended it. */
  readonly finished: Promise<void>;
  private startRun!: (first: DocumentRequest) => void;

  constructor(
    private readonly deps: CallSessionDeps,
    start: SessionStartRequestV1,
  ) {
    this.callSid = start.callSid;
    this.accountSid = start.accountSid;
    this.parameters = { ...start.parameters };
    // An outbound call is handed over answered; an inbound one ringing (pre-accepted).
    this.isAnswered = start.parameters.CallStatus === 'in-progress';
    this.log = deps.logger.child({ callSid: start.callSid, accountSid: start.accountSid });
    this.finished = new Promise<DocumentRequest>((resolve) => (this.startRun = resolve)).then(
      (first) => this.run(first),
    );
  }

  /** Starts running `first` in the background. */
  start(first: DocumentRequest): void {
    this.startRun(first);
  }

  /** Stops the current verb and runs `request` instead (REST redirect). */
  redirect(request: DocumentRequest): void {
    this.redirectTo = request;
    this.current.abort(new SessionAbortedError('redirected'));
  }

  /**
   * Another replica took the call over (a redirect reached it): stop this document without
   * ending the call; the new owner runs the call's TwiML from now on.
   */
  moved(): void {
    this.movedAway = true;
    this.current.abort(new SessionAbortedError('moved'));
  }

  /** True once another replica owns the call: this session is only winding down. */
  get isMovedAway(): boolean {
    return this.movedAway;
  }

  /** The call ended outside the interpreter (the caller hung up): stop everything. */
  ended(): void {
    this.callEnded = true;
    this.current.abort(new SessionAbortedError('caller-hangup'));
  }

  // ---- events fed by the sessions service ----------------------------------------------

  /** A key pressed on this call, or on a `<Dial>` child during its whisper. */
  dtmf(callSid: string, digit: string): void {
    if (callSid === this.callSid) this.digits.push(digit);
    else this.children.get(callSid)?.digits.push(digit);
  }

  /** A status change of one of this call's `<Dial>` children (it may precede the dial's reply). */
  childStatus(event: CallStatusChangedV1): void {
    const leg = this.childLeg(event.callSid);
    leg.tracker.report({
      status: event.status,
      sequence: event.sequence,
      durationSec: event.durationSec,
      errorCode: event.errorCode,
    });
    if (this.dialTimedOut && !leg.adopted && !isTerminalCallStatus(event.status)) {
      // Created by a dial whose reply never came: nobody would ever bridge it.
      void this.bestEffort('hang up an orphan child', () => this.hangupCall(event.callSid));
    }
  }

  playFinished(event: PlayFinishedV1): void {
    this.plays.deliver(event.playId, event);
  }

  recordingCompleted(event: RecordingCompletedV1): void {
    this.recordings.deliver(event.recordingSid, event);
  }

  recordingStored(recordingSid: string, mediaUrl: string | null): void {
    this.recordingUrls.deliver(recordingSid, mediaUrl);
  }

  streamEnded(event: StreamEndedV1): void {
    if (this.streamEnds.deliver(event.streamSid, event)) return;
    // A <Start> stream has nobody waiting: its end is only worth a line (and its error).
    if (event.errorCode !== null) {
      this.log.warn({ code: event.errorCode, streamSid: event.streamSid }, 'stream failed');
    }
  }

  // ---- LinePort --------------------------------------------------------------------------

  get answered(): boolean {
    return this.isAnswered;
  }

  async answer(): Promise<void> {
    if (this.isAnswered) return;
    const reply = await this.deps.bus.request(
      'calls.v1.call.accept',
      { callSid: this.callSid },
      { timeoutMs: this.deps.requestTimeoutMs, correlationId: this.callSid },
    );
    if (reply.status !== 'in-progress') {
      // The caller hung up while we answered.
      throw new SessionAbortedError('caller-hangup');
    }
    this.isAnswered = true;
    this.parameters.CallStatus = 'in-progress';
    await this.deps.save({ answered: true });
  }

  async reject(reason: 'rejected' | 'busy'): Promise<void> {
    await this.deps.bus.request(
      'calls.v1.call.reject',
      { callSid: this.callSid, reason },
      { timeoutMs: this.deps.requestTimeoutMs, correlationId: this.callSid },
    );
  }

  async hangup(): Promise<void> {
    await this.hangupCall(this.callSid);
  }

  private async hangupCall(callSid: CallSid): Promise<void> {
    await this.deps.bus.request(
      'calls.v1.call.hangup',
      { callSid },
      { timeoutMs: this.deps.requestTimeoutMs, correlationId: this.callSid },
    );
  }

  // ---- MediaPort -------------------------------------------------------------------------

  play(source: PromptSource, loop: number, signal: AbortSignal): Promise<PlayFinishedV1> {
    return this.playOn(this.callSid, source, loop, signal);
  }

  private async playOn(
    callSid: CallSid,
    source: PromptSource,
    loop: number,
    signal: AbortSignal,
  ): Promise<PlayFinishedV1> {
    const playId = randomUUID();
    // Registered before the command, so a prompt that ends at once is not missed.
    const done = this.plays.expect(playId, signal);
    done.catch(() => undefined);
    await this.deps.bus.request(
      'media.v1.play.start',
      { callSid, playId, source, loop },
      { timeoutMs: this.deps.requestTimeoutMs, correlationId: this.callSid },
    );
    try {
      return await done;
    } catch (error) {
      if (signal.aborted && !this.callEnded)
        await this.bestEffort('media.v1.play.stop', () =>
          this.deps.bus.request(
            'media.v1.play.stop',
            { callSid, playId },
            { timeoutMs: this.deps.requestTimeoutMs, correlationId: this.callSid },
          ),
        );
      throw error;
    }
  }

  async record(
    request: Omit<RecordingStartRequestV1, 'callSid' | 'accountSid'>,
    signal: AbortSignal,
  ): Promise<FinishedRecording> {
    const { recordingSid } = request;
    // The caller hanging up does not lose the recording: media finishes it (reason
    // hangup) and Twilio still reports it. Other aborts (a redirect) stop it at once.
    const wait = new AbortController();
    let callerHungUp = false;
    let hangupTimer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      if (!this.callEnded) return wait.abort(abortReason(signal));
      callerHungUp = true;
      hangupTimer = setTimeout(() => wait.abort(abortReason(signal)), RECORDING_HANGUP_WAIT_MS);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    const completed = this.recordings.expect(recordingSid, wait.signal);
    const stored = this.recordingUrls.expect(recordingSid, wait.signal);
    completed.catch(() => undefined);
    stored.catch(() => undefined);
    try {
      await this.deps.bus.request(
        'media.v1.recording.start',
        { ...request, callSid: this.callSid, accountSid: this.accountSid },
        { timeoutMs: this.deps.requestTimeoutMs, correlationId: this.callSid },
      );
      const result = await completed;
      if (result.status !== 'completed') return { completed: result, mediaUrl: null, callerHungUp };
      // call-control publishes the stored recording's URL once it has the metadata.
      const mediaUrl = await Promise.race([
        stored,
        delay(RECORDING_URL_WAIT_MS, wait.signal).then(() => null),
      ]);
      return { completed: result, mediaUrl, callerHungUp };
    } catch (error) {
      if (wait.signal.aborted && !this.callEnded)
        await this.bestEffort('media.v1.recording.stop', () =>
          this.deps.bus.request(
            'media.v1.recording.stop',
            { recordingSid },
            { timeoutMs: this.deps.requestTimeoutMs, correlationId: this.callSid },
          ),
        );
      throw error;
    } finally {
      clearTimeout(hangupTimer);
      signal.removeEventListener('abort', onAbort);
    }
  }

  // ---- DialPort --------------------------------------------------------------------------

  async place(request: PlaceChildRequest): Promise<ChildCall> {
    let reply: { callSid: CallSid; status: CallStatusChangedV1['status'] };
    try {
      reply = await this.deps.bus.request(
        'calls.v1.call.dial',
        {
          accountSid: this.accountSid,
          parentCallSid: this.callSid,
          from: request.from,
          to: request.to,
          timeoutSec: request.timeoutSec,
          timeLimitSec: request.timeLimitSec,
          statusCallback: request.statusCallback,
        },
        { timeoutMs: DIAL_REQUEST_TIMEOUT_MS, correlationId: this.callSid },
      );
    } catch (error) {
      if (!(error instanceof BusRequestError)) throw error;
      if (error.kind === 'timeout') {
        this.dialTimedOut = true;
        for (const [sid, leg] of this.children) {
          if (!leg.adopted)
            await this.bestEffort('hang up an orphan child', () => this.hangupCall(sid as CallSid));
        }
      }
      throw new ParleyError(20503, `the child call could not be placed (${error.kind})`, {
        cause: error,
      });
    }
    const childSid = reply.callSid;
    const leg = this.childLeg(childSid);
    leg.adopted = true;
    leg.tracker.report({
      status: reply.status,
      sequence: null,
      durationSec: null,
      errorCode: null,
    });
    this.deps.adoptChild(childSid);
    return this.childCall(childSid, leg, request);
  }

  private childLeg(callSid: string): ChildLeg {
    let leg = this.children.get(callSid);
    if (!leg) {
      leg = { tracker: new ChildCallTracker(), digits: new DigitBuffer(), adopted: false };
      this.children.set(callSid, leg);
    }
    return leg;
  }

  private childCall(childSid: CallSid, leg: ChildLeg, request: PlaceChildRequest): ChildCall {
    const bridgeRequest = { callSid: this.callSid, otherCallSid: childSid };
    const options = { timeoutMs: this.deps.requestTimeoutMs, correlationId: this.callSid };
    // What the whisper's URLs receive: the child's own parameters, as Twilio sends them.
    const parameters: Record<string, string> = {
      AccountSid: this.accountSid,
      CallSid: childSid,
      ParentCallSid: this.callSid,
      From: request.from,
      To: request.to,
      Caller: request.from,
      Called: request.to,
      Direction: 'outbound-dial',
      CallStatus: 'in-progress',
      ApiVersion: '2010-04-01',
    };
    const hangup = () => this.hangupCall(childSid);
    const view = (documentUrl: string | null): LegView => ({
      callSid: childSid,
      digits: leg.digits,
      parameters: () => parameters,
      documentUrl: () => documentUrl,
      // The child is answered when its whisper runs; declining it is hanging it up.
      line: { answered: true, answer: () => Promise.resolve(), reject: hangup, hangup },
      media: {
        play: (source, loop, signal) => this.playOn(childSid, source, loop, signal),
        record: () => Promise.reject(new TwimlFailure(12200, 'a whisper cannot <Record>')),
      },
    });
    return {
      callSid: childSid,
      get state() {
        return leg.tracker.state;
      },
      until: (done, signal) => leg.tracker.until(done, signal),
      hangup,
      bridge: async () => {
        await this.deps.bus.request('media.v1.bridge.create', bridgeRequest, options);
      },
      unbridge: async () => {
        await this.deps.bus.request('media.v1.bridge.destroy', bridgeRequest, options);
      },
      record: async (recording) => {
        const started = await this.deps.bus.request(
          'calls.v1.recording.start',
          {
            accountSid: this.accountSid,
            callSid: this.callSid,
            otherCallSid: childSid,
            channels: recording.channels,
            source: 'DialVerb',
            track: recording.track,
            trimSilence: recording.trimSilence,
            statusCallback: recording.statusCallback,
          },
          options,
        );
        return {
          ...started,
          stop: async () => {
            await this.deps.bus.request(
              'media.v1.recording.stop',
              { recordingSid: started.recordingSid },
              options,
            );
          },
        };
      },
      context: (signal, documentUrl) => this.legContext(view(documentUrl), signal),
      loadWhisper: async (whisper) => {
        const loaded = await this.deps.loader.load(this.accountSid, whisper, {
          context: 'whisper',
        });
        return loaded.ok
          ? { ok: true, document: loaded.document, url: loaded.url }
          : { ok: false, code: loaded.code, message: loaded.message };
      },
      release: () => this.deps.releaseChild(childSid),
    };
  }

  // ---- StreamsPort -----------------------------------------------------------------------

  async startStream(request: StreamRequest): Promise<void> {
    await this.deps.bus.request(
      'media.v1.stream.start',
      { ...request, callSid: this.callSid, accountSid: this.accountSid },
      { timeoutMs: this.deps.requestTimeoutMs, correlationId: this.callSid },
    );
  }

  async connectStream(request: StreamRequest, signal: AbortSignal): Promise<StreamEndedV1> {
    // Registered before the command, so a stream that fails at once is not missed.
    const ended = this.streamEnds.expect(request.streamSid, signal);
    ended.catch(() => undefined);
    await this.startStream(request);
    try {
      return await ended;
    } catch (error) {
      if (signal.aborted && !this.callEnded)
        await this.bestEffort('media.v1.stream.stop', () =>
          this.deps.bus.request(
            'media.v1.stream.stop',
            { callSid: this.callSid, streamSid: request.streamSid },
            { timeoutMs: this.deps.requestTimeoutMs, correlationId: this.callSid },
          ),
        );
      throw error;
    }
  }

  async stopStreams(name: string): Promise<number> {
    const reply = await this.deps.bus.request(
      'media.v1.stream.stop',
      { callSid: this.callSid, name },
      { timeoutMs: this.deps.requestTimeoutMs, correlationId: this.callSid },
    );
    return reply.stopped;
  }

  // ---- the run ---------------------------------------------------------------------------

  private async run(first: DocumentRequest): Promise<void> {
    let next: DocumentRequest | null = first;
    try {
      while (next !== null) {
        const request: DocumentRequest = next;
        this.current = new AbortController();
        try {
          next = await this.runDocument(request, this.current.signal);
        } catch (error) {
          if (!(error instanceof SessionAbortedError) || error.reason !== 'redirected') throw error;
          next = this.redirectTo;
          this.redirectTo = null;
        }
      }
    } catch (error) {
      await this.fail(error);
    }
  }

  /** Runs one document; returns the next document to run, or null when the call ended. */
  private async runDocument(
    request: DocumentRequest,
    signal: AbortSignal,
  ): Promise<DocumentRequest | null> {
    const { source } = request;
    await this.deps.save({
      state: 'fetching',
      documentUrl: source.kind === 'url' ? source.url : null,
      documentMethod: source.kind === 'url' ? source.method : null,
      documentTwiml: source.kind === 'twiml' ? source.twiml : null,
      verbIndex: 0,
      gatherDigits: '',
    });
    const loaded = await this.deps.loader.load(this.accountSid, request);
    throwIfAborted(signal);
    if (!loaded.ok) throw new TwimlFailure(loaded.code, loaded.message);
    this.documentUrl = loaded.url;
    for (const warning of loaded.warnings) {
      this.log.warn(
        { code: warning.code, line: warning.line },
        `TwiML warning: ${warning.message}`,
      );
    }
    const ctx = this.context(signal);
    const verbs = loaded.document.verbs;
    for (let index = 0; index < verbs.length; index++) {
      const node = verbs[index]!;
      await this.deps.save({
        state: 'running',
        documentUrl: loaded.url,
        verbIndex: index,
        gatherDigits: '',
      });
      const outcome = await this.execute(node, ctx);
      if (outcome.next === 'continue') continue;
      if (outcome.next === 'notify') {
        await this.notify(outcome.request);
        await this.deps.save({ state: 'ended', endedReason: 'caller-hangup' });
        return null;
      }
      if (outcome.next === 'fetch') {
        if (outcome.via === 'redirect' && ++this.redirects > this.deps.maxRedirects) {
          throw new TwimlFailure(11200, `more than ${this.deps.maxRedirects} redirects`);
        }
        await this.deps.save({ redirectCount: this.redirects });
        return outcome.request;
      }
      if (outcome.next === 'hangup') await this.hangup();
      await this.deps.save({
        state: 'ended',
        endedReason: node.kind === 'Reject' ? 'rejected' : 'hangup',
      });
      return null;
    }
    // Twilio ends the call when the document runs out of verbs.
    await this.hangup();
    await this.deps.save({ state: 'ended', endedReason: 'end-of-document' });
    return null;
  }

  private async execute(node: TwimlVerb, ctx: CallContext) {
    const verb = this.deps.registry.create(node);
    try {
      return await verb.execute(node, ctx);
    } finally {
      if (ctx.signal.aborted) await verb.abort();
    }
  }

  /** The call is over; the verb's action still hears how it ended, and its answer is ignored. */
  private async notify(request: DocumentRequest): Promise<void> {
    const loaded = await this.deps.loader.load(this.accountSid, request);
    if (!loaded.ok) this.log.warn({ code: loaded.code }, `action after hang-up: ${loaded.message}`);
  }

  /** Ends the session after an error: the call is ended too, never left on a dead document. */
  private async fail(error: unknown): Promise<void> {
    if (error instanceof SessionAbortedError && error.reason === 'moved') {
      // Not this replica's call any more: nothing to save, and the call goes on.
      this.log.info('another replica took the call over; its TwiML runs there');
      return;
    }
    if (error instanceof SessionAbortedError && error.reason === 'caller-hangup') {
      this.log.info('the call ended while its TwiML ran');
      await this.bestEffort('save', () =>
        this.deps.save({ state: 'ended', endedReason: 'caller-hangup' }),
      );
      return;
    }
    const code: ErrorCode = error instanceof TwimlFailure ? error.code : 20500;
    this.log.error({ code, err: error }, "the call's TwiML failed; ending the call");
    await this.bestEffort('save', () =>
      this.deps.save({ state: 'ended', endedReason: 'error', errorCode: code }),
    );
    if (this.callEnded) return;
    await this.bestEffort('end the call', () =>
      this.isAnswered ? this.hangup() : this.reject('rejected'),
    );
  }

  private context(signal: AbortSignal): CallContext {
    return this.legContext(
      {
        callSid: this.callSid,
        line: this,
        media: this,
        digits: this.digits,
        parameters: () => this.parameters,
        documentUrl: () => this.documentUrl,
      },
      signal,
    );
  }

  private legContext(leg: LegView, signal: AbortSignal): CallContext {
    return {
      callSid: leg.callSid,
      signal,
      line: leg.line,
      media: leg.media,
      // The call's streams: a whisper (child leg) allows no <Stream>, so only the parent uses it.
      streams: this,
      digits: leg.digits,
      dial: this,
      get parameters() {
        return leg.parameters();
      },
      resolveUrl: (url) => resolveUrl(url, leg.documentUrl()),
      request: (url, method, extra) =>
        actionRequest(leg.documentUrl(), leg.parameters(), url, method, extra),
      warn: (code, message) => this.log.warn({ code, callSid: leg.callSid }, message),
      checkpoint: ({ gatherDigits }) =>
        leg.callSid === this.callSid ? this.deps.save({ gatherDigits }) : Promise.resolve(),
      withSignal: (other) => this.legContext(leg, other),
    };
  }

  private async bestEffort(what: string, fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn();
    } catch (error) {
      this.log.warn({ err: error }, `could not ${what}`);
    }
  }
}

function resolveUrl(url: string, base: string | null): string | null {
  try {
    return new URL(url, base ?? undefined).toString();
  } catch {
    return null;
  }
}

/** An action or redirect: `url` (the current document when absent) with the parameters. */
function actionRequest(
  documentUrl: string | null,
  parameters: Readonly<Record<string, string>>,
  url: string | undefined,
  method: HttpMethod,
  extra: Readonly<Record<string, string>> = {},
): DocumentRequest | null {
  // Without a URL, Twilio requests the current document again.
  const target = url === undefined || url === '' ? documentUrl : resolveUrl(url, documentUrl);
  if (target === null) return null;
  return {
    source: { kind: 'url', url: target, method, fallback: null },
    parameters: { ...parameters, ...extra },
  };
}

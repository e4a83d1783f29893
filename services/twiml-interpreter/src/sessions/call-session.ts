import { randomUUID } from 'node:crypto';
import {
  type AccountSid,
  type CallSid,
  type ErrorCode,
  type HttpMethod,
  type NatsBus,
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
import { delay, SessionAbortedError, throwIfAborted, TwimlFailure } from '../runtime/errors';
import {
  type CallContext,
  type FinishedRecording,
  type LinePort,
  type MediaPort,
  type StreamRequest,
  type StreamsPort,
} from '../runtime/ports';
import { DigitBuffer, Waiters } from '../runtime/waiters';

export interface CallSessionDeps {
  bus: NatsBus;
  loader: DocumentLoader;
  registry: VerbRegistry;
  logger: ParleyLogger;
  /** Saves the session's position; called at every verb boundary. */
  save: (progress: SessionProgress) => Promise<void>;
  requestTimeoutMs: number;
  maxRedirects: number;
}

/** How long to wait for call-control to publish a finished recording's URL. */
const RECORDING_URL_WAIT_MS = 15_000;

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
export class CallSession implements LinePort, MediaPort, StreamsPort {
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
  private redirects = 0;
  private isAnswered: boolean;
  private documentUrl: string | null = null;
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

  /** The call ended outside the interpreter (the caller hung up): stop everything. */
  ended(): void {
    this.callEnded = true;
    this.current.abort(new SessionAbortedError('caller-hangup'));
  }

  // ---- events fed by the sessions service ----------------------------------------------

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
    await this.deps.bus.request(
      'calls.v1.call.hangup',
      { callSid: this.callSid },
      { timeoutMs: this.deps.requestTimeoutMs, correlationId: this.callSid },
    );
  }

  // ---- MediaPort -------------------------------------------------------------------------

  async play(source: PromptSource, loop: number, signal: AbortSignal): Promise<PlayFinishedV1> {
    const playId = randomUUID();
    // Registered before the command, so a prompt that ends at once is not missed.
    const done = this.plays.expect(playId, signal);
    done.catch(() => undefined);
    await this.deps.bus.request(
      'media.v1.play.start',
      { callSid: this.callSid, playId, source, loop },
      { timeoutMs: this.deps.requestTimeoutMs, correlationId: this.callSid },
    );
    try {
      return await done;
    } catch (error) {
      if (signal.aborted && !this.callEnded)
        await this.bestEffort('media.v1.play.stop', () =>
          this.deps.bus.request(
            'media.v1.play.stop',
            { callSid: this.callSid, playId },
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
    const completed = this.recordings.expect(recordingSid, signal);
    const stored = this.recordingUrls.expect(recordingSid, signal);
    completed.catch(() => undefined);
    stored.catch(() => undefined);
    await this.deps.bus.request(
      'media.v1.recording.start',
      { ...request, callSid: this.callSid, accountSid: this.accountSid },
      { timeoutMs: this.deps.requestTimeoutMs, correlationId: this.callSid },
    );
    try {
      const result = await completed;
      if (result.status !== 'completed') return { completed: result, mediaUrl: null };
      // call-control publishes the stored recording's URL once it has the metadata.
      const mediaUrl = await Promise.race([
        stored,
        delay(RECORDING_URL_WAIT_MS, signal).then(() => null),
      ]);
      return { completed: result, mediaUrl };
    } catch (error) {
      if (signal.aborted && !this.callEnded)
        await this.bestEffort('media.v1.recording.stop', () =>
          this.deps.bus.request(
            'media.v1.recording.stop',
            { recordingSid },
            { timeoutMs: this.deps.requestTimeoutMs, correlationId: this.callSid },
          ),
        );
      throw error;
    }
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

  /** Ends the session after an error: the call is ended too, never left on a dead document. */
  private async fail(error: unknown): Promise<void> {
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
    return {
      callSid: this.callSid,
      signal,
      line: this,
      media: this,
      streams: this,
      digits: this.digits,
      resolveUrl: (url) => this.resolveUrl(url),
      request: (url, method, extra) => this.actionRequest(url, method, extra),
      warn: (code, message) => this.log.warn({ code }, message),
      checkpoint: ({ gatherDigits }) => this.deps.save({ gatherDigits }),
      withSignal: (other) => this.context(other),
    };
  }

  private resolveUrl(url: string): string | null {
    try {
      return new URL(url, this.documentUrl ?? undefined).toString();
    } catch {
      return null;
    }
  }

  private actionRequest(
    url: string | undefined,
    method: HttpMethod,
    extra: Readonly<Record<string, string>> = {},
  ): DocumentRequest | null {
    // Without a URL, Twilio requests the current document again.
    const target = url === undefined || url === '' ? this.documentUrl : this.resolveUrl(url);
    if (target === null) return null;
    return {
      source: { kind: 'url', url: target, method, fallback: null },
      parameters: { ...this.parameters, ...extra },
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

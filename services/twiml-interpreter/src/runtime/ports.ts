import {
  type CallSid,
  type CallStatus,
  type ErrorCode,
  type HttpMethod,
  type PlayFinishedV1,
  type PromptSource,
  type RecordingCompletedV1,
  type RecordingStartRequestV1,
  type RecordingStatusCallbackConfig,
  type RecordingTrack,
  type StatusCallbackConfig,
  type StreamEndedV1,
  type StreamStartRequestV1,
} from '@parley/contracts';
import { type TwimlDocument } from '@parley/twiml';
import { type DocumentRequest } from '../documents/document-source';
import { type DigitBuffer } from './waiters';

/** The call itself, as call-control controls it. */
export interface LinePort {
  /** Whether the call is answered (in-progress); verbs that need audio answer first. */
  readonly answered: boolean;
  /** Opens the line (`calls.v1.call.accept`) if it is not open yet; idempotent. */
  answer(): Promise<void>;
  /** Declines a ringing call at Meta (`<Reject>` before answer). */
  reject(reason: 'rejected' | 'busy'): Promise<void>;
  /** Ends the call (terminate, or decline when never answered); idempotent. */
  hangup(): Promise<void>;
}

/** A recording that ended, with what Twilio's `<Record action>` reports. */
export interface FinishedRecording {
  completed: RecordingCompletedV1;
  /** Where the recording is served (call-control's Recordings resource), once stored. */
  mediaUrl: string | null;
  /** The caller hung up while it recorded (Twilio then posts `Digits=hangup`). */
  callerHungUp: boolean;
}

/** Audio on the call's media leg. */
export interface MediaPort {
  /**
   * Plays a prompt and resolves when it ends. When `signal` aborts, the prompt is stopped
   * and the promise rejects with the abort reason.
   */
  play(source: PromptSource, loop: number, signal: AbortSignal): Promise<PlayFinishedV1>;
  /** Records the leg until a stop condition; stopped when `signal` aborts. */
  record(
    request: Omit<RecordingStartRequestV1, 'callSid' | 'accountSid'>,
    signal: AbortSignal,
  ): Promise<FinishedRecording>;
}

/** What call-control last said about a `<Dial>` child call. */
export interface ChildCallState {
  status: CallStatus;
  /** True once the child was in progress (answered), whatever came after. */
  answered: boolean;
  /** Whole seconds from answer to end, once ended. */
  durationSec: number | null;
  errorCode: number | null;
}

/** A whisper document (`<WhatsApp url>`) as loaded for the child leg. */
export type WhisperLoad =
  | { ok: true; document: TwimlDocument; url: string | null }
  | { ok: false; code: ErrorCode; message: string };

/** `<Dial record>`'s recording of the parent and the child. */
export interface DialRecordingOptions {
  channels: 'mono' | 'dual';
  track: RecordingTrack;
  trimSilence: boolean;
  statusCallback: RecordingStatusCallbackConfig | null;
}

/** A recording call-control started (a Recording resource), until stopped or the call ends. */
export interface DialRecording {
  recordingSid: string;
  /** Where it will be served (`RecordingUrl`), when call-control knows its public URL. */
  mediaUrl: string | null;
  stop(): Promise<void>;
}

/** A child call placed by `<Dial>`, followed through its status events. */
export interface ChildCall {
  readonly callSid: CallSid;
  readonly state: ChildCallState;
  /** Resolves with the first state (the current one included) for which `done` holds. */
  until(done: (state: ChildCallState) => boolean, signal: AbortSignal): Promise<ChildCallState>;
  /** Ends the child: canceled while it rings, completed once answered; idempotent. */
  hangup(): Promise<void>;
  /** The parent and the child hear each other (`media.v1.bridge.create`). */
  bridge(): Promise<void>;
  /** Idempotent: a bridge already gone (a leg closed) is fine. */
  unbridge(): Promise<void>;
  /** Records the parent with the child (parent first); rejects with a `ParleyError`. */
  record(options: DialRecordingOptions): Promise<DialRecording>;
  /** The child's own call (prompts and keys on its leg), for the whisper. */
  context(signal: AbortSignal, documentUrl: string | null): CallContext;
  /** Loads a whisper document (only Say, Play, Pause, Gather, Hangup allowed). */
  loadWhisper(request: DocumentRequest): Promise<WhisperLoad>;
  /** Stops routing the child's events here; called when the `<Dial>` ends. */
  release(): void;
}

export interface PlaceChildRequest {
  from: string;
  to: string;
  timeoutSec: number;
  timeLimitSec: number;
  statusCallback: StatusCallbackConfig | null;
}

/** Dialing child calls from the current call (`calls.v1.call.dial`). */
export interface DialPort {
  /**
   * Places a child call; rejects with call-control's `ParleyError` when it is refused
   * before anything reaches Meta (no permission, bad callerId...).
   */
  place(request: PlaceChildRequest): Promise<ChildCall>;
}

/** A Media Stream as a verb asks for it (the call's sids are added by the session). */
export type StreamRequest = Omit<StreamStartRequestV1, 'callSid' | 'accountSid'>;

/** Media Streams of the call (media holds the WebSockets). */
export interface StreamsPort {
  /** Opens a listen-only stream (`<Start><Stream>`) that runs beside the document. */
  startStream(request: StreamRequest): Promise<void>;
  /**
   * Opens a bidirectional stream (`<Connect><Stream>`) and resolves when it ended (the
   * server closed it, or it failed). When `signal` aborts, the stream is stopped and the
   * promise rejects with the abort reason.
   */
  connectStream(request: StreamRequest, signal: AbortSignal): Promise<StreamEndedV1>;
  /** Stops the call's streams named `name` (`<Stop><Stream name>`); returns how many. */
  stopStreams(name: string): Promise<number>;
}

/** Everything a verb may use while it runs on one call. */
export interface CallContext {
  readonly callSid: CallSid;
  /** Aborted when the caller hangs up or the session is redirected elsewhere. */
  readonly signal: AbortSignal;
  readonly line: LinePort;
  readonly media: MediaPort;
  readonly streams: StreamsPort;
  readonly digits: DigitBuffer;
  readonly dial: DialPort;
  /** The request parameters the call's documents receive (CallSid, From, To...). */
  readonly parameters: Readonly<Record<string, string>>;
  /** `url` resolved against the current document's URL (null when that is impossible). */
  resolveUrl(url: string): string | null;
  /**
   * The request for an action or redirect: `url` (the current document when absent)
   * with the call's parameters and `extra`; null when there is no URL to request.
   */
  request(
    url: string | undefined,
    method: HttpMethod,
    extra?: Readonly<Record<string, string>>,
  ): DocumentRequest | null;
  /** A warning Twilio would log in the debugger; the verb goes on. */
  warn(code: ErrorCode, message: string): void;
  /** Saves a verb's progress (the digits gathered so far) with the session. */
  checkpoint(progress: { gatherDigits: string }): Promise<void>;
  /** The same call with another abort signal (nested verbs interrupted by barge-in). */
  withSignal(signal: AbortSignal): CallContext;
}

import { z } from 'zod';
import { HttpMethod, RecordingSource, RecordingTrack } from '../enums';
import { AccountSid, CallSid, RecordingSid } from '../ids';

/**
 * media's commands and events. A media *leg* is one call's audio path and is named by its
 * CallSid: a WhatsApp leg (full-ICE edge + mediasoup PlainTransport) or, later, a browser
 * agent. Everything audio (prompts, digits, recordings, bridges) is addressed by CallSid.
 */

/** An SDP document as carried in Meta's `session.sdp`. */
export const Sdp = z.string().min(10).max(20_000);

// ---- legs ---------------------------------------------------------------------------------

/** User-initiated call: build the full-ICE answer to Meta's offer. Media starts at once. */
export const LegAnswerRequestV1 = z.object({
  callSid: CallSid,
  accountSid: AccountSid,
  sdpOffer: Sdp,
});
export const LegAnswerReplyV1 = z.object({ sdpAnswer: Sdp });

/** Business-initiated call: make the offer Meta's `connect` carries. */
export const LegOfferRequestV1 = z.object({ callSid: CallSid, accountSid: AccountSid });
export const LegOfferReplyV1 = z.object({ sdpOffer: Sdp });

/** Business-initiated call: apply the answer from Meta's `connect` webhook. */
export const LegApplyAnswerRequestV1 = z.object({ callSid: CallSid, sdpAnswer: Sdp });
export const OkReplyV1 = z.object({ ok: z.literal(true) });

/** Tear a leg down: stops prompts and recordings on it, unbridges it, frees ports. */
export const LegCloseRequestV1 = z.object({ callSid: CallSid });
export const LegCloseReplyV1 = z.object({ closed: z.boolean() });

/** Hold: the leg hears silence and is heard by nobody until released. */
export const LegHoldRequestV1 = z.object({ callSid: CallSid, hold: z.boolean() });

/** The first media arrived on a leg (ICE and DTLS completed). */
export const LegConnectedV1 = z.object({ callSid: CallSid, connectedAt: z.string().datetime() });
/** A leg failed (edge error, ICE/DTLS never completed, worker lost). */
export const LegFailedV1 = z.object({
  callSid: CallSid,
  reason: z.string(),
  failedAt: z.string().datetime(),
});

// ---- prompts ------------------------------------------------------------------------------

export const PromptSource = z.discriminatedUnion('kind', [
  /** A WAV or MP3 file fetched from a (customer, untrusted) URL. */
  z.object({ kind: z.literal('url'), url: z.string().url() }),
  /** Text to speech. `voice`/`language` are TwiML's `<Say>` attributes, mapped to the engine. */
  z.object({
    kind: z.literal('say'),
    text: z.string().min(1).max(4096),
    voice: z.string().max(64).optional(),
    language: z.string().max(16).optional(),
  }),
  /** DTMF digits sent as RFC 4733 events: 0-9 * # A-D, `w` waits 0.5 s. */
  z.object({ kind: z.literal('digits'), digits: z.string().regex(/^[0-9*#A-Dw]{1,64}$/) }),
  /** Ringback tone of a country (ISO 3166 alpha-2 like TwiML's `ringTone`), until stopped. */
  z.object({ kind: z.literal('ringback'), country: z.string().regex(/^[a-z]{2}$/) }),
  /** Silence of a given length (`<Pause>` while keeping media flowing). */
  z.object({ kind: z.literal('silence'), durationMs: z.number().int().positive().max(3_600_000) }),
]);
export type PromptSource = z.infer<typeof PromptSource>;

export const PlayStartRequestV1 = z.object({
  callSid: CallSid,
  /** Chosen by the caller so that the completion event can be matched. */
  playId: z.string().min(1).max(64),
  source: PromptSource,
  /** How many times to play; 0 means until stopped (TwiML `loop="0"`). */
  loop: z.number().int().min(0).max(1000).default(1),
});
export const PlayStartReplyV1 = z.object({ playId: z.string() });

/** Stop one prompt, or every prompt on the leg when `playId` is absent (barge-in). */
export const PlayStopRequestV1 = z.object({ callSid: CallSid, playId: z.string().optional() });
export const PlayStopReplyV1 = z.object({ stopped: z.number().int().nonnegative() });

export const PlayFinishedV1 = z.object({
  callSid: CallSid,
  playId: z.string(),
  reason: z.enum(['completed', 'stopped', 'failed']),
  /** Twilio-style code when failed: 11200 fetch failed, 12300 unsupported content... */
  errorCode: z.number().int().nullable(),
  playedMs: z.number().int().nonnegative(),
  finishedAt: z.string().datetime(),
});

// ---- DTMF ---------------------------------------------------------------------------------

/** One key press detected on a leg (RFC 4733, de-duplicated: one event per press). */
export const DtmfReceivedV1 = z.object({
  callSid: CallSid,
  digit: z.string().regex(/^[0-9*#A-D]$/),
  durationMs: z.number().int().nonnegative(),
  /** Order of presses on this leg, from 0. */
  sequence: z.number().int().nonnegative(),
  receivedAt: z.string().datetime(),
});

// ---- bridges ------------------------------------------------------------------------------

/** Connect two legs so each hears the other (the `<Dial>` bridge). */
export const BridgeCreateRequestV1 = z.object({ callSid: CallSid, otherCallSid: CallSid });
export const BridgeDestroyRequestV1 = z.object({ callSid: CallSid, otherCallSid: CallSid });

// ---- recordings ---------------------------------------------------------------------------

export const RecordingStartRequestV1 = z.object({
  recordingSid: RecordingSid,
  accountSid: AccountSid,
  /** The leg recorded; with `otherCallSid` the bridged pair (parent first). */
  callSid: CallSid,
  otherCallSid: CallSid.optional(),
  /** dual: `callSid` on channel 1, `otherCallSid` on channel 2. */
  channels: z.enum(['mono', 'dual']).default('mono'),
  /** What asked for it; echoed in `recording.completed` for the Recordings resource. */
  source: RecordingSource.default('RecordVerb'),
  /** inbound: what the leg says; outbound: what it hears. */
  track: RecordingTrack.default('both'),
  maxLengthSec: z.number().int().positive().max(86_400).default(3600),
  /** End after this much silence; 0 disables. */
  silenceTimeoutSec: z.number().int().min(0).max(3600).default(0),
  playBeep: z.boolean().default(false),
  trimSilence: z.boolean().default(false),
  /** Digits that end the recording (TwiML `finishOnKey`), or empty. */
  finishOnKey: z
    .string()
    .regex(/^[0-9*#]*$/)
    .default(''),
});
export const RecordingStartReplyV1 = z.object({ recordingSid: RecordingSid });
export const RecordingStopRequestV1 = z.object({ recordingSid: RecordingSid });

/** Durable: recording metadata must never be lost. */
export const RecordingCompletedV1 = z.object({
  recordingSid: RecordingSid,
  accountSid: AccountSid,
  callSid: CallSid,
  /** Older messages (before `source` existed) were all `<Record>`s. */
  source: RecordingSource.default('RecordVerb'),
  track: RecordingTrack.default('both'),
  status: z.enum(['completed', 'failed', 'absent']),
  reason: z.enum(['max-length', 'silence', 'finish-key', 'stopped', 'hangup', 'error']),
  /** Digit that ended it, when `reason` is `finish-key`. */
  finishedOnKey: z.string().nullable(),
  durationSec: z.number().int().nonnegative(),
  channels: z.union([z.literal(1), z.literal(2)]),
  /** Storage location (`file:///...` or `s3://bucket/key`) and size of the WAV. */
  storageUri: z.string().nullable(),
  sizeBytes: z.number().int().nonnegative(),
  startedAt: z.string().datetime(),
  completedAt: z.string().datetime(),
});

// ---- media streams (TwiML <Connect><Stream>, <Start><Stream>) ------------------------------

/**
 * The audio of a stream's `media` messages: Twilio's 8 kHz mu-law, or Parley's wideband
 * opt-in (16 kHz 16-bit little-endian PCM), asked for with the reserved `<Parameter
 * name="parley.mediaFormat" value="l16-16k">` so the TwiML stays valid for Twilio.
 */
export const StreamMediaFormat = z.enum(['mulaw-8k', 'l16-16k']);
export type StreamMediaFormat = z.infer<typeof StreamMediaFormat>;

/** A Twilio Media Stream sid: `MZ` and 32 hex digits. */
export const StreamSid = z
  .string()
  .regex(/^MZ[0-9a-f]{32}$/, 'must be MZ followed by 32 hex digits');
/** Which audio a stream carries: what the caller says, what it hears, or both. */
export const StreamTrack = z.enum(['inbound_track', 'outbound_track', 'both_tracks']);
export type StreamTrack = z.infer<typeof StreamTrack>;

/** Where a stream's status callbacks go (`statusCallback`, `statusCallbackMethod`). */
export const StreamStatusCallbackConfig = z.object({
  url: z.string().url().max(2048),
  method: HttpMethod,
});
export type StreamStatusCallbackConfig = z.infer<typeof StreamStatusCallbackConfig>;

/**
 * Open a Media Stream: media connects a WebSocket to `url` and speaks Twilio's Media
 * Streams protocol on it. `bidirectional` (`<Connect>`): the server's audio is played to
 * the caller, and the stream ends when the socket closes (`media.v1.stream.ended`).
 */
export const StreamStartRequestV1 = z.object({
  streamSid: StreamSid,
  accountSid: AccountSid,
  callSid: CallSid,
  /** ws:// or wss://; media vets the address (the outbound-URL policy). */
  url: z.string().url().max(2048),
  /** `<Stream name>`: how `<Stop><Stream name>` finds it. */
  name: z.string().max(256).optional(),
  track: StreamTrack.default('inbound_track'),
  bidirectional: z.boolean(),
  /** From nested `<Parameter>`s: sent in the `start` message. */
  customParameters: z.record(z.string().max(64), z.string().max(1024)).default({}),
  mediaFormat: StreamMediaFormat.default('mulaw-8k'),
  /** Twilio's stream events (`stream-started`, `-stopped`, `-error`) go here when set. */
  statusCallback: StreamStatusCallbackConfig.nullable().default(null),
});
export const StreamStartReplyV1 = z.object({ streamSid: StreamSid });

/** Stop one stream (by sid or name), or every stream of the call when neither is given. */
export const StreamStopRequestV1 = z.object({
  callSid: CallSid,
  streamSid: StreamSid.optional(),
  name: z.string().max(256).optional(),
});
export const StreamStopReplyV1 = z.object({ stopped: z.number().int().nonnegative() });

/** What every durable stream event carries, so call-control can record any stream. */
const StreamEventBase = z.object({
  streamSid: StreamSid,
  callSid: CallSid,
  accountSid: AccountSid,
  name: z.string().nullable(),
  url: z.string().url().max(2048),
  track: StreamTrack,
  bidirectional: z.boolean(),
  statusCallback: StreamStatusCallbackConfig.nullable(),
});

/**
 * Durable: the stream's WebSocket is open and `start` was sent. call-control records the
 * stream (Twilio's Stream resource) and publishes `calls.v1.stream.status-changed`.
 */
export const StreamStartedV1 = StreamEventBase.extend({
  startedAt: z.string().datetime(),
});

/**
 * Durable (a lost one would leave the interpreter waiting on `<Connect>`): a stream is
 * over, whatever ended it; `errorCode` (319xx) and `errorMessage` when it failed.
 */
export const StreamEndedV1 = StreamEventBase.extend({
  /** closed: the server closed the socket; stopped: asked to; hangup: the call ended. */
  reason: z.enum(['closed', 'stopped', 'hangup', 'failed']),
  errorCode: z.number().int().nullable(),
  errorMessage: z.string().max(1024).nullable(),
  endedAt: z.string().datetime(),
});

export type LegAnswerRequestV1 = z.infer<typeof LegAnswerRequestV1>;
export type PlayStartRequestV1 = z.infer<typeof PlayStartRequestV1>;
export type PlayFinishedV1 = z.infer<typeof PlayFinishedV1>;
export type DtmfReceivedV1 = z.infer<typeof DtmfReceivedV1>;
export type RecordingStartRequestV1 = z.infer<typeof RecordingStartRequestV1>;
export type RecordingCompletedV1 = z.infer<typeof RecordingCompletedV1>;
export type StreamStartRequestV1 = z.infer<typeof StreamStartRequestV1>;
export type StreamEndedV1 = z.infer<typeof StreamEndedV1>;
export type StreamStartedV1 = z.infer<typeof StreamStartedV1>;
export type LegFailedV1 = z.infer<typeof LegFailedV1>;

/**
 * The typed TwiML AST. Every node has a `kind` discriminant and an `attributes` object
 * whose type is computed from the schema: defaults applied, numbers, booleans, enums and
 * sets converted, URLs kept exactly as written (to be resolved against the document URL).
 * Nodes returned by `parseTwiml` are deeply frozen.
 */
import type { AttributesOf } from './schema/attributes';
import type {
  AI_SESSION_ATTRIBUTES,
  APPLICATION_ATTRIBUTES,
  ASSISTANT_ATTRIBUTES,
  CLIENT_ATTRIBUTES,
  CONFERENCE_ATTRIBUTES,
  CONFIG_ATTRIBUTES,
  CONVERSATION_ATTRIBUTES,
  CONVERSATION_RELAY_ATTRIBUTES,
  CONVERSATION_RELAY_SESSION_ATTRIBUTES,
  DIAL_ATTRIBUTES,
  ELEMENTS,
  ENQUEUE_ATTRIBUTES,
  GATHER_ATTRIBUTES,
  HEADER_ATTRIBUTES,
  LANGUAGE_ATTRIBUTES,
  NodeKind,
  NUMBER_ATTRIBUTES,
  PARAMETER_ATTRIBUTES,
  PAUSE_ATTRIBUTES,
  PAY_ATTRIBUTES,
  PLAY_ATTRIBUTES,
  PROMPT_ATTRIBUTES,
  QUEUE_ATTRIBUTES,
  RECORD_ATTRIBUTES,
  RECORDING_ATTRIBUTES,
  REDIRECT_ATTRIBUTES,
  REJECT_ATTRIBUTES,
  ROOM_ATTRIBUTES,
  SAY_ATTRIBUTES,
  SIP_ATTRIBUTES,
  SIP_URI_ATTRIBUTES,
  SIPREC_ATTRIBUTES,
  SMS_ATTRIBUTES,
  SSML_BREAK_ATTRIBUTES,
  SSML_EMPHASIS_ATTRIBUTES,
  SSML_LANG_ATTRIBUTES,
  SSML_PHONEME_ATTRIBUTES,
  SSML_PROSODY_ATTRIBUTES,
  SSML_SAY_AS_ATTRIBUTES,
  SSML_SUB_ATTRIBUTES,
  SSML_W_ATTRIBUTES,
  STREAM_ATTRIBUTES,
  TASK_ATTRIBUTES,
  TRANSCRIPTION_ATTRIBUTES,
  VIRTUAL_AGENT_ATTRIBUTES,
  WHATSAPP_ATTRIBUTES,
} from './schema/elements';

type Attrs<K extends NodeKind> = AttributesOf<(typeof ELEMENTS)[K]['attributes']>;
/** An element without attributes. */
export type NoAttributes = Readonly<Record<never, never>>;

// ---------------------------------------------------------------------------------------
// Attribute types

export type SayAttributes = AttributesOf<typeof SAY_ATTRIBUTES>;
export type PlayAttributes = AttributesOf<typeof PLAY_ATTRIBUTES>;
export type PauseAttributes = AttributesOf<typeof PAUSE_ATTRIBUTES>;
export type GatherAttributes = AttributesOf<typeof GATHER_ATTRIBUTES>;
export type RecordAttributes = AttributesOf<typeof RECORD_ATTRIBUTES>;
export type RejectAttributes = AttributesOf<typeof REJECT_ATTRIBUTES>;
export type RedirectAttributes = AttributesOf<typeof REDIRECT_ATTRIBUTES>;
export type DialAttributes = AttributesOf<typeof DIAL_ATTRIBUTES>;
export type EnqueueAttributes = AttributesOf<typeof ENQUEUE_ATTRIBUTES>;
export type ConnectAttributes = Attrs<'Connect'>;
export type StartAttributes = Attrs<'Start'>;
export type ReferAttributes = Attrs<'Refer'>;
export type PayAttributes = AttributesOf<typeof PAY_ATTRIBUTES>;
export type SmsAttributes = AttributesOf<typeof SMS_ATTRIBUTES>;
export type NumberAttributes = AttributesOf<typeof NUMBER_ATTRIBUTES>;
export type ClientAttributes = AttributesOf<typeof CLIENT_ATTRIBUTES>;
export type SipAttributes = AttributesOf<typeof SIP_ATTRIBUTES>;
export type SipUriAttributes = AttributesOf<typeof SIP_URI_ATTRIBUTES>;
export type SipHeaderAttributes = AttributesOf<typeof HEADER_ATTRIBUTES>;
export type ConferenceAttributes = AttributesOf<typeof CONFERENCE_ATTRIBUTES>;
export type QueueAttributes = AttributesOf<typeof QUEUE_ATTRIBUTES>;
export type WhatsAppAttributes = AttributesOf<typeof WHATSAPP_ATTRIBUTES>;
export type ApplicationAttributes = AttributesOf<typeof APPLICATION_ATTRIBUTES>;
export type TaskAttributes = AttributesOf<typeof TASK_ATTRIBUTES>;
export type StreamAttributes = AttributesOf<typeof STREAM_ATTRIBUTES>;
export type SiprecAttributes = AttributesOf<typeof SIPREC_ATTRIBUTES>;
export type TranscriptionAttributes = AttributesOf<typeof TRANSCRIPTION_ATTRIBUTES>;
export type RecordingAttributes = AttributesOf<typeof RECORDING_ATTRIBUTES>;
export type RoomAttributes = AttributesOf<typeof ROOM_ATTRIBUTES>;
export type VirtualAgentAttributes = AttributesOf<typeof VIRTUAL_AGENT_ATTRIBUTES>;
export type ConversationAttributes = AttributesOf<typeof CONVERSATION_ATTRIBUTES>;
export type ConversationRelayAttributes = AttributesOf<typeof CONVERSATION_RELAY_ATTRIBUTES>;
export type AssistantAttributes = AttributesOf<typeof ASSISTANT_ATTRIBUTES>;
export type AiSessionAttributes = AttributesOf<typeof AI_SESSION_ATTRIBUTES>;
export type ConversationRelaySessionAttributes = AttributesOf<
  typeof CONVERSATION_RELAY_SESSION_ATTRIBUTES
>;
export type LanguageAttributes = AttributesOf<typeof LANGUAGE_ATTRIBUTES>;
export type ParameterAttributes = AttributesOf<typeof PARAMETER_ATTRIBUTES>;
export type ConfigAttributes = AttributesOf<typeof CONFIG_ATTRIBUTES>;
export type PromptAttributes = AttributesOf<typeof PROMPT_ATTRIBUTES>;

// ---------------------------------------------------------------------------------------
// Document and verbs

/** A parsed `<Response>`. */
export interface TwimlDocument {
  readonly kind: 'Response';
  readonly attributes: NoAttributes;
  readonly verbs: readonly Verb[];
}

export type Verb =
  | SayVerb
  | PlayVerb
  | PauseVerb
  | GatherVerb
  | RecordVerb
  | HangupVerb
  | RejectVerb
  | RedirectVerb
  | DialVerb
  | EnqueueVerb
  | LeaveVerb
  | ConnectVerb
  | StartVerb
  | StopVerb
  | ReferVerb
  | PayVerb
  | EchoVerb
  | SmsVerb;

/** `<Say>`: text to speech. Its content is text and SSML elements, in order, whitespace kept. */
export interface SayVerb {
  readonly kind: 'Say';
  readonly attributes: SayAttributes;
  readonly content: readonly SsmlContent[];
}

/** `<Play>`: an audio URL, or DTMF `digits` (then `url` may be absent). */
export interface PlayVerb {
  readonly kind: 'Play';
  readonly attributes: PlayAttributes;
  readonly url?: string;
}

export interface PauseVerb {
  readonly kind: 'Pause';
  readonly attributes: PauseAttributes;
}

/** What `<Gather>` and `<Prompt>` may nest. */
export type MediaVerb = SayVerb | PlayVerb | PauseVerb;

export interface GatherVerb {
  readonly kind: 'Gather';
  readonly attributes: GatherAttributes;
  readonly children: readonly MediaVerb[];
}

export interface RecordVerb {
  readonly kind: 'Record';
  readonly attributes: RecordAttributes;
}

export interface HangupVerb {
  readonly kind: 'Hangup';
  readonly attributes: NoAttributes;
  readonly parameters: readonly ParameterNode[];
}

export interface RejectVerb {
  readonly kind: 'Reject';
  readonly attributes: RejectAttributes;
  readonly parameters: readonly ParameterNode[];
}

export interface RedirectVerb {
  readonly kind: 'Redirect';
  readonly attributes: RedirectAttributes;
  readonly url: string;
}

/**
 * `<Dial>`. A plain-text number (`<Dial>415-123-4567</Dial>`) is, as Twilio documents it,
 * the same as one `<Number>` noun, and is parsed as one.
 */
export interface DialVerb {
  readonly kind: 'Dial';
  readonly attributes: DialAttributes;
  readonly nouns: readonly DialNoun[];
}

/** `<Enqueue>`: a queue `name`, or a TaskRouter `workflowSid` with an optional `<Task>`. */
export interface EnqueueVerb {
  readonly kind: 'Enqueue';
  readonly attributes: EnqueueAttributes;
  readonly name?: string;
  readonly task?: TaskNode;
}

export interface LeaveVerb {
  readonly kind: 'Leave';
  readonly attributes: NoAttributes;
}

export interface ConnectVerb {
  readonly kind: 'Connect';
  readonly attributes: ConnectAttributes;
  readonly noun: ConnectNoun;
}

export interface StartVerb {
  readonly kind: 'Start';
  readonly attributes: StartAttributes;
  readonly nouns: readonly StartNoun[];
}

export interface StopVerb {
  readonly kind: 'Stop';
  readonly attributes: NoAttributes;
  readonly nouns: readonly StopNoun[];
}

export interface ReferVerb {
  readonly kind: 'Refer';
  readonly attributes: ReferAttributes;
  readonly sip: ReferSipNode;
}

export interface PayVerb {
  readonly kind: 'Pay';
  readonly attributes: PayAttributes;
  readonly prompts: readonly PromptNode[];
  readonly parameters: readonly ParameterNode[];
}

/** `<Echo>`: plays the caller's audio back (a test verb). */
export interface EchoVerb {
  readonly kind: 'Echo';
  readonly attributes: NoAttributes;
}

/** `<Sms>`: deprecated by Twilio, still parsed. */
export interface SmsVerb {
  readonly kind: 'Sms';
  readonly attributes: SmsAttributes;
  readonly message: string;
}

// ---------------------------------------------------------------------------------------
// Dial nouns

export type DialNoun =
  | NumberNoun
  | ClientNoun
  | SipNoun
  | ConferenceNoun
  | QueueNoun
  | WhatsAppNoun
  | SimNoun
  | ApplicationNoun;

export interface NumberNoun {
  readonly kind: 'Number';
  readonly attributes: NumberAttributes;
  /** As written (`415-123-4567`, `+14151234567`). */
  readonly phoneNumber: string;
}

/** `<Client>`: the identity from its text or from an `<Identity>` child. */
export interface ClientNoun {
  readonly kind: 'Client';
  readonly attributes: ClientAttributes;
  readonly identity: string;
  readonly parameters: readonly ParameterNode[];
}

/** `<Sip>`: one URI as text, or several `<Uri>` children; optional `<Headers>`. */
export interface SipNoun {
  readonly kind: 'Sip';
  readonly attributes: SipAttributes;
  readonly uri?: string;
  readonly uris: readonly SipUriNode[];
  readonly headers?: SipHeadersNode;
}

export interface SipUriNode {
  readonly kind: 'Uri';
  readonly attributes: SipUriAttributes;
  readonly uri: string;
}

export interface SipHeadersNode {
  readonly kind: 'Headers';
  readonly attributes: NoAttributes;
  readonly headers: readonly SipHeaderNode[];
}

export interface SipHeaderNode {
  readonly kind: 'Header';
  readonly attributes: SipHeaderAttributes;
}

export interface ConferenceNoun {
  readonly kind: 'Conference';
  readonly attributes: ConferenceAttributes;
  readonly name: string;
}

export interface QueueNoun {
  readonly kind: 'Queue';
  readonly attributes: QueueAttributes;
  readonly name: string;
}

/** `<WhatsApp>`: a WhatsApp user, E.164 with `+` and country code (a `whatsapp:` prefix is dropped). */
export interface WhatsAppNoun {
  readonly kind: 'WhatsApp';
  readonly attributes: WhatsAppAttributes;
  readonly phoneNumber: string;
}

export interface SimNoun {
  readonly kind: 'Sim';
  readonly attributes: NoAttributes;
  readonly simSid: string;
}

/** `<Application>`: the SID from its text or from an `<ApplicationSid>` child. */
export interface ApplicationNoun {
  readonly kind: 'Application';
  readonly attributes: ApplicationAttributes;
  readonly applicationSid: string;
  readonly parameters: readonly ParameterNode[];
}

// ---------------------------------------------------------------------------------------
// Other nouns

export type ConnectNoun =
  | StreamNoun
  | RoomNoun
  | ConversationRelayNoun
  | ConversationNoun
  | VirtualAgentNoun
  | AssistantNoun
  | AiSessionNoun
  | ConversationRelaySessionNoun
  | AutopilotNoun;
export type StartNoun = StreamNoun | SiprecNoun | TranscriptionNoun | RecordingNoun;
export type StopNoun = StreamNoun | SiprecNoun | TranscriptionNoun;

export interface TaskNode {
  readonly kind: 'Task';
  readonly attributes: TaskAttributes;
  /** The task attributes, a JSON text, as written. */
  readonly body: string;
}

export interface StreamNoun {
  readonly kind: 'Stream';
  readonly attributes: StreamAttributes;
  readonly parameters: readonly ParameterNode[];
}

export interface SiprecNoun {
  readonly kind: 'Siprec';
  readonly attributes: SiprecAttributes;
  readonly parameters: readonly ParameterNode[];
}

export interface TranscriptionNoun {
  readonly kind: 'Transcription';
  readonly attributes: TranscriptionAttributes;
  readonly configs: readonly ConfigNode[];
  readonly parameters: readonly ParameterNode[];
}

export interface RecordingNoun {
  readonly kind: 'Recording';
  readonly attributes: RecordingAttributes;
}

export interface RoomNoun {
  readonly kind: 'Room';
  readonly attributes: RoomAttributes;
  readonly name: string;
}

export interface VirtualAgentNoun {
  readonly kind: 'VirtualAgent';
  readonly attributes: VirtualAgentAttributes;
  readonly configs: readonly ConfigNode[];
  readonly parameters: readonly ParameterNode[];
}

export interface ConversationNoun {
  readonly kind: 'Conversation';
  readonly attributes: ConversationAttributes;
}

export interface ConversationRelayNoun {
  readonly kind: 'ConversationRelay';
  readonly attributes: ConversationRelayAttributes;
  readonly languages: readonly LanguageNode[];
  readonly parameters: readonly ParameterNode[];
}

export interface AssistantNoun {
  readonly kind: 'Assistant';
  readonly attributes: AssistantAttributes;
  readonly languages: readonly LanguageNode[];
  readonly parameters: readonly ParameterNode[];
}

export interface AiSessionNoun {
  readonly kind: 'AiSession';
  readonly attributes: AiSessionAttributes;
}

export interface ConversationRelaySessionNoun {
  readonly kind: 'ConversationRelaySession';
  readonly attributes: ConversationRelaySessionAttributes;
}

/** `<Autopilot>`: retired by Twilio, still parsed. */
export interface AutopilotNoun {
  readonly kind: 'Autopilot';
  readonly attributes: NoAttributes;
  readonly name: string;
}

export interface LanguageNode {
  readonly kind: 'Language';
  readonly attributes: LanguageAttributes;
}

export interface ParameterNode {
  readonly kind: 'Parameter';
  readonly attributes: ParameterAttributes;
}

export interface ConfigNode {
  readonly kind: 'Config';
  readonly attributes: ConfigAttributes;
}

/** `<Sip>` inside `<Refer>`: where to transfer. */
export interface ReferSipNode {
  readonly kind: 'ReferSip';
  readonly attributes: NoAttributes;
  readonly uri: string;
}

/** `<Prompt>` inside `<Pay>`. */
export interface PromptNode {
  readonly kind: 'Prompt';
  readonly attributes: PromptAttributes;
  readonly children: readonly MediaVerb[];
}

// ---------------------------------------------------------------------------------------
// SSML

export type SsmlContent = SsmlText | SsmlElement;

export interface SsmlText {
  readonly kind: 'text';
  readonly value: string;
}

export type SsmlElement =
  | SsmlBreak
  | SsmlEmphasis
  | SsmlLang
  | SsmlParagraph
  | SsmlPhoneme
  | SsmlProsody
  | SsmlSentence
  | SsmlSayAs
  | SsmlSub
  | SsmlWord;

export interface SsmlBreak {
  readonly kind: 'break';
  readonly attributes: AttributesOf<typeof SSML_BREAK_ATTRIBUTES>;
}
export interface SsmlEmphasis {
  readonly kind: 'emphasis';
  readonly attributes: AttributesOf<typeof SSML_EMPHASIS_ATTRIBUTES>;
  readonly content: readonly SsmlContent[];
}
export interface SsmlLang {
  readonly kind: 'lang';
  readonly attributes: AttributesOf<typeof SSML_LANG_ATTRIBUTES>;
  readonly content: readonly SsmlContent[];
}
export interface SsmlParagraph {
  readonly kind: 'p';
  readonly attributes: NoAttributes;
  readonly content: readonly SsmlContent[];
}
export interface SsmlPhoneme {
  readonly kind: 'phoneme';
  readonly attributes: AttributesOf<typeof SSML_PHONEME_ATTRIBUTES>;
  readonly text?: string;
}
export interface SsmlProsody {
  readonly kind: 'prosody';
  readonly attributes: AttributesOf<typeof SSML_PROSODY_ATTRIBUTES>;
  readonly content: readonly SsmlContent[];
}
export interface SsmlSentence {
  readonly kind: 's';
  readonly attributes: NoAttributes;
  readonly content: readonly SsmlContent[];
}
export interface SsmlSayAs {
  readonly kind: 'say-as';
  readonly attributes: AttributesOf<typeof SSML_SAY_AS_ATTRIBUTES>;
  readonly text?: string;
}
export interface SsmlSub {
  readonly kind: 'sub';
  readonly attributes: AttributesOf<typeof SSML_SUB_ATTRIBUTES>;
  readonly text?: string;
}
export interface SsmlWord {
  readonly kind: 'w';
  readonly attributes: AttributesOf<typeof SSML_W_ATTRIBUTES>;
  readonly content: readonly SsmlContent[];
}

// ---------------------------------------------------------------------------------------

/** Every node type by its kind. */
export interface NodeByKind {
  Response: TwimlDocument;
  Say: SayVerb;
  Play: PlayVerb;
  Pause: PauseVerb;
  Gather: GatherVerb;
  Record: RecordVerb;
  Hangup: HangupVerb;
  Reject: RejectVerb;
  Redirect: RedirectVerb;
  Dial: DialVerb;
  Enqueue: EnqueueVerb;
  Leave: LeaveVerb;
  Connect: ConnectVerb;
  Start: StartVerb;
  Stop: StopVerb;
  Refer: ReferVerb;
  Pay: PayVerb;
  Echo: EchoVerb;
  Sms: SmsVerb;
  Number: NumberNoun;
  Client: ClientNoun;
  Sip: SipNoun;
  Uri: SipUriNode;
  Headers: SipHeadersNode;
  Header: SipHeaderNode;
  Conference: ConferenceNoun;
  Queue: QueueNoun;
  WhatsApp: WhatsAppNoun;
  Sim: SimNoun;
  Application: ApplicationNoun;
  Task: TaskNode;
  Stream: StreamNoun;
  Siprec: SiprecNoun;
  Transcription: TranscriptionNoun;
  Recording: RecordingNoun;
  Room: RoomNoun;
  VirtualAgent: VirtualAgentNoun;
  Conversation: ConversationNoun;
  ConversationRelay: ConversationRelayNoun;
  Assistant: AssistantNoun;
  AiSession: AiSessionNoun;
  ConversationRelaySession: ConversationRelaySessionNoun;
  Autopilot: AutopilotNoun;
  Language: LanguageNode;
  Parameter: ParameterNode;
  Config: ConfigNode;
  ReferSip: ReferSipNode;
  Prompt: PromptNode;
  break: SsmlBreak;
  emphasis: SsmlEmphasis;
  lang: SsmlLang;
  p: SsmlParagraph;
  phoneme: SsmlPhoneme;
  prosody: SsmlProsody;
  s: SsmlSentence;
  'say-as': SsmlSayAs;
  sub: SsmlSub;
  w: SsmlWord;
}

/** Any element node of the AST. */
export type TwimlNode = NodeByKind[keyof NodeByKind];

// The schema and the AST name the same kinds: a kind added to one but not the other fails here.
type Equal<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type AssertTrue<T extends true> = T;
type _KindsMatch = AssertTrue<Equal<keyof NodeByKind, NodeKind>>;

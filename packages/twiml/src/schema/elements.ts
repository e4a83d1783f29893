/**
 * The TwiML Voice schema as data: one entry per element kind, with its XML tag, its
 * attributes (type, allowed values, range, default), its text content and the children
 * it accepts. The parser, the serializer and the AST types all read this table; nothing
 * about a verb's attributes is written anywhere else.
 *
 * Kinds are the AST discriminants. They are the XML tag, except where one tag means two
 * things: `<Sip>` inside `<Refer>` is `ReferSip`, and `<Uri>` inside `<Sip>` is `Uri`.
 */
import type { AttributeSpecs } from './attributes';
import type { TextRule } from './text';
import {
  BANK_ACCOUNT_TYPES,
  CALL_PROGRESS_EVENTS,
  CARD_TYPES,
  CONFERENCE_BEEP,
  CONFERENCE_EVENTS,
  CONFERENCE_RECORD,
  CONFERENCE_REGIONS,
  CONVERSATION_EVENTS,
  DIAL_RECORD,
  DIAL_RECORD_ALIASES,
  JITTER_BUFFER_SIZES,
  MACHINE_DETECTION,
  MEDIA_TRACK,
  PROMPT_ERROR_TYPES,
  PROMPT_FOR,
  RECORDING_EVENTS,
  RECORDING_TRACK,
  RING_TONES,
  SSML_BREAK_STRENGTH,
  SSML_EMPHASIS_LEVEL,
  SSML_PHONEME_ALPHABET,
  SSML_SAY_AS_FORMAT,
  SSML_SAY_AS_INTERPRET_AS,
  TRIM,
} from './values';

/** The text content of an element. */
export interface TextSpec {
  /** The AST field that holds the text. */
  readonly field: string;
  /** Whether the element must have (non-blank) text. */
  readonly required: boolean;
  readonly rule: TextRule;
  /** Keep surrounding whitespace (SSML text); otherwise the text is trimmed. */
  readonly raw?: boolean;
  /** A text-only child element that may carry the text instead (`<Client><Identity>`). */
  readonly fromChild?: string;
  /**
   * The text is shorthand for a child of this kind, whose `field` it fills (`<Dial>415-123-4567</Dial>`
   * is `<Dial><Number>415-123-4567</Number></Dial>`). Such text and children exclude each other.
   */
  readonly toChild?: { readonly kind: string; readonly field: string };
}

/** A list of children kept in one AST field, in document order. */
export interface ChildGroup {
  readonly field: string;
  readonly kinds: readonly string[];
  readonly min?: number;
  readonly max?: number;
  /** At most one child, held directly in the field rather than in an array. */
  readonly single?: boolean;
}

export interface ElementSpec {
  readonly tag: string;
  /** Verb, noun or SSML element, for messages. */
  readonly role: 'document' | 'verb' | 'noun' | 'ssml';
  readonly attributes: AttributeSpecs;
  readonly text?: TextSpec;
  readonly children?: readonly ChildGroup[];
  /** Mixed content (SSML): text and these element kinds, in order, in the field `content`. */
  readonly mixed?: readonly string[];
}

// ---------------------------------------------------------------------------------------
// Attribute groups shared by several elements

const POST = { type: 'method', default: 'POST' } as const;
const URL = { type: 'url' } as const;

const ACTION = {
  action: { ...URL, description: 'URL requested when the verb ends' },
  method: POST,
} as const;

/** Call progress webhooks of a dialed leg (Number, Client, Sip, WhatsApp, Application). */
const CALL_STATUS_CALLBACK = {
  statusCallback: URL,
  statusCallbackMethod: POST,
  /** Twilio sends `completed` when `statusCallback` is set without events. */
  statusCallbackEvent: { type: 'set', values: CALL_PROGRESS_EVENTS, default: ['completed'] },
} as const;

/** A whisper: TwiML run on the called party's leg before the parties are connected. */
const WHISPER_URL = {
  url: { ...URL, description: 'TwiML run on the called party before connecting' },
  method: POST,
} as const;

const MACHINE_DETECTION_ATTRIBUTES = {
  machineDetection: { type: 'enum', values: MACHINE_DETECTION },
  machineDetectionTimeout: { type: 'integer', min: 3, max: 59, default: 30 },
  machineDetectionSpeechThreshold: { type: 'integer', min: 1000, max: 6000, default: 2400 },
  machineDetectionSpeechEndThreshold: { type: 'integer', min: 500, max: 5000, default: 1200 },
  machineDetectionSilenceTimeout: { type: 'integer', min: 2000, max: 10000, default: 5000 },
  amdStatusCallback: URL,
  amdStatusCallbackMethod: POST,
} as const;

const RECORDING_STATUS_CALLBACK = {
  recordingStatusCallback: URL,
  recordingStatusCallbackMethod: POST,
  recordingStatusCallbackEvent: { type: 'set', values: RECORDING_EVENTS, default: ['completed'] },
} as const;

const NAME_VALUE = {
  name: { type: 'string', required: true },
  value: { type: 'string', required: true },
} as const;

const SAFE_TOKEN = /^[\w.:\-]+$/;
const FREE_TOKEN = {
  type: 'string',
  pattern: SAFE_TOKEN,
  expected: 'a name of letters, digits, _ . : and -',
} as const;

const RELAY_ATTRIBUTES = {
  language: { type: 'language', default: 'en-US' },
  ttsLanguage: { type: 'language' },
  transcriptionLanguage: { type: 'language' },
  ttsProvider: { type: 'string' },
  voice: { type: 'string' },
  transcriptionProvider: { type: 'string' },
  speechModel: { type: 'string' },
  interruptible: { type: 'string' },
  interruptSensitivity: { type: 'string' },
  dtmfDetection: { type: 'boolean', default: false },
  reportInputDuringAgentSpeech: { type: 'boolean' },
  preemptible: { type: 'boolean', default: false },
  welcomeGreeting: { type: 'string' },
  welcomeGreetingInterruptible: { type: 'string' },
  hints: { type: 'string' },
  debug: { type: 'string' },
  partialPrompts: { type: 'boolean' },
  elevenlabsTextNormalization: { type: 'string' },
  profanityFilter: { type: 'boolean', default: true },
  intelligenceService: { type: 'string' },
} as const;

// ---------------------------------------------------------------------------------------
// Attributes per element

export const SAY_ATTRIBUTES = {
  voice: { type: 'voice', default: 'man' },
  language: { type: 'language', default: 'en-US' },
  /** 0 repeats until the call ends (Twilio caps at 1000). */
  loop: { type: 'integer', min: 0, max: 1000, default: 1 },
} as const;

export const PLAY_ATTRIBUTES = {
  loop: { type: 'integer', min: 0, max: 1000, default: 1 },
  digits: { type: 'digits' },
} as const;

export const PAUSE_ATTRIBUTES = {
  length: { type: 'integer', min: 1, default: 1 },
} as const;

export const GATHER_ATTRIBUTES = {
  ...ACTION,
  input: { type: 'set', values: ['dtmf', 'speech'], default: ['dtmf'] },
  timeout: { type: 'integer', min: 1, default: 5 },
  /** One key; the empty string disables it. */
  finishOnKey: { type: 'keys', multiple: false, default: '#' },
  numDigits: { type: 'integer', min: 1 },
  /** When absent, Twilio waits `timeout` seconds of silence. */
  speechTimeout: { type: 'speechTimeout' },
  maxSpeechTime: { type: 'integer', min: 1, max: 60, default: 60 },
  speechModel: { ...FREE_TOKEN, default: 'default' },
  enhanced: { type: 'boolean', default: false },
  profanityFilter: { type: 'boolean', default: true },
  hints: { type: 'string' },
  language: { type: 'language', default: 'en-US' },
  partialResultCallback: URL,
  partialResultCallbackMethod: POST,
  actionOnEmptyResult: { type: 'boolean', default: false },
  bargeIn: { type: 'boolean', default: true },
  debug: { type: 'boolean', default: false },
} as const;

export const RECORD_ATTRIBUTES = {
  ...ACTION,
  timeout: { type: 'integer', min: 0, default: 5 },
  finishOnKey: { type: 'keys', multiple: true, default: '1234567890*#' },
  maxLength: { type: 'integer', min: 1, max: 14400, default: 3600 },
  playBeep: { type: 'boolean', default: true },
  trim: { type: 'enum', values: TRIM, default: 'trim-silence' },
  ...RECORDING_STATUS_CALLBACK,
  storageUrl: URL,
  storageUrlMethod: POST,
  transcribe: { type: 'boolean', default: false },
  transcribeCallback: URL,
} as const;

export const REJECT_ATTRIBUTES = {
  reason: { type: 'enum', values: ['rejected', 'busy'], default: 'rejected' },
} as const;

export const REDIRECT_ATTRIBUTES = { method: POST } as const;

export const DIAL_ATTRIBUTES = {
  ...ACTION,
  answerOnBridge: { type: 'boolean', default: false },
  callerId: { type: 'callerId' },
  callReason: { type: 'string', maxLength: 50 },
  events: { type: 'enum', values: ['call-progress-event'] },
  hangupOnStar: { type: 'boolean', default: false },
  record: {
    type: 'enum',
    values: DIAL_RECORD,
    aliases: DIAL_RECORD_ALIASES,
    default: 'do-not-record',
  },
  ...RECORDING_STATUS_CALLBACK,
  recordingTrack: { type: 'enum', values: RECORDING_TRACK, default: 'both' },
  referUrl: URL,
  referMethod: POST,
  ringTone: { type: 'enum', values: RING_TONES },
  sequential: { type: 'boolean', default: false },
  timeLimit: { type: 'integer', min: 1, max: 86400, default: 14400 },
  timeout: { type: 'integer', min: 5, max: 600, default: 30 },
  trim: { type: 'enum', values: TRIM, default: 'do-not-trim' },
} as const;

export const NUMBER_ATTRIBUTES = {
  sendDigits: { type: 'digits' },
  ...WHISPER_URL,
  ...CALL_STATUS_CALLBACK,
  byoc: { type: 'string' },
  ...MACHINE_DETECTION_ATTRIBUTES,
} as const;

export const CLIENT_ATTRIBUTES = { ...WHISPER_URL, ...CALL_STATUS_CALLBACK } as const;

export const SIP_ATTRIBUTES = {
  username: { type: 'string' },
  password: { type: 'string' },
  ...WHISPER_URL,
  ...CALL_STATUS_CALLBACK,
  ...MACHINE_DETECTION_ATTRIBUTES,
} as const;

export const SIP_URI_ATTRIBUTES = {
  username: { type: 'string' },
  password: { type: 'string' },
  priority: { type: 'integer', min: 0 },
  weight: { type: 'integer', min: 1 },
} as const;

export const CONFERENCE_ATTRIBUTES = {
  muted: { type: 'boolean', default: false },
  beep: { type: 'enum', values: CONFERENCE_BEEP, default: 'true' },
  startConferenceOnEnter: { type: 'boolean', default: true },
  endConferenceOnExit: { type: 'boolean', default: false },
  /** When absent, Twilio plays its default hold music. */
  waitUrl: URL,
  waitMethod: POST,
  maxParticipants: { type: 'integer', min: 2, max: 250, default: 250 },
  record: { type: 'enum', values: CONFERENCE_RECORD, default: 'do-not-record' },
  region: { type: 'enum', values: CONFERENCE_REGIONS },
  coach: { type: 'string' },
  trim: { type: 'enum', values: TRIM, default: 'trim-silence' },
  statusCallbackEvent: { type: 'set', values: CONFERENCE_EVENTS },
  statusCallback: URL,
  statusCallbackMethod: POST,
  ...RECORDING_STATUS_CALLBACK,
  eventCallbackUrl: URL,
  jitterBufferSize: { type: 'enum', values: JITTER_BUFFER_SIZES, default: 'large' },
  participantLabel: { type: 'string', maxLength: 128 },
} as const;

export const QUEUE_ATTRIBUTES = {
  url: { ...URL, description: 'TwiML run on the dequeued caller before connecting' },
  method: POST,
  reservationSid: { type: 'string' },
  postWorkActivitySid: { type: 'string' },
} as const;

export const WHATSAPP_ATTRIBUTES = { ...WHISPER_URL, ...CALL_STATUS_CALLBACK } as const;

export const APPLICATION_ATTRIBUTES = {
  ...WHISPER_URL,
  ...CALL_STATUS_CALLBACK,
  customerId: { type: 'string' },
  copyParentTo: { type: 'boolean', default: false },
} as const;

export const ENQUEUE_ATTRIBUTES = {
  ...ACTION,
  /** When absent, Twilio plays its default hold music. */
  waitUrl: URL,
  waitUrlMethod: POST,
  maxQueueSize: { type: 'integer', min: 1, max: 5000, default: 100 },
  workflowSid: { type: 'string' },
} as const;

export const TASK_ATTRIBUTES = {
  priority: { type: 'integer', min: 0 },
  timeout: { type: 'integer', min: 1 },
} as const;

export const STREAM_ATTRIBUTES = {
  url: URL,
  name: { type: 'string' },
  track: { type: 'enum', values: MEDIA_TRACK, default: 'inbound_track' },
  connectorName: { type: 'string' },
  statusCallback: URL,
  statusCallbackMethod: POST,
} as const;

export const SIPREC_ATTRIBUTES = {
  name: { type: 'string' },
  connectorName: { type: 'string' },
  track: { type: 'enum', values: MEDIA_TRACK, default: 'both_tracks' },
  statusCallback: URL,
  statusCallbackMethod: POST,
} as const;

export const TRANSCRIPTION_ATTRIBUTES = {
  name: { type: 'string' },
  track: { type: 'enum', values: MEDIA_TRACK, default: 'both_tracks' },
  statusCallbackUrl: URL,
  statusCallbackMethod: POST,
  inboundTrackLabel: { type: 'string' },
  outboundTrackLabel: { type: 'string' },
  transcriptionEngine: { ...FREE_TOKEN, default: 'google' },
  languageCode: { type: 'language', default: 'en-US' },
  speechModel: { type: 'string' },
  profanityFilter: { type: 'boolean', default: true },
  partialResults: { type: 'boolean', default: false },
  hints: { type: 'string' },
  enableAutomaticPunctuation: { type: 'boolean', default: true },
  intelligenceService: { type: 'string' },
} as const;

export const RECORDING_ATTRIBUTES = {
  channels: { type: 'enum', values: ['mono', 'dual'], default: 'mono' },
  track: { type: 'enum', values: RECORDING_TRACK, default: 'both' },
  trim: { type: 'enum', values: TRIM, default: 'do-not-trim' },
  ...RECORDING_STATUS_CALLBACK,
} as const;

export const ROOM_ATTRIBUTES = { participantIdentity: { type: 'string' } } as const;

export const VIRTUAL_AGENT_ATTRIBUTES = {
  connectorName: { type: 'string' },
  language: { type: 'language', default: 'en-US' },
  sentimentAnalysis: { type: 'boolean', default: false },
  statusCallback: URL,
  statusCallbackMethod: POST,
} as const;

export const CONVERSATION_ATTRIBUTES = {
  serviceInstanceSid: { type: 'string' },
  inboundAutocreation: { type: 'boolean', default: false },
  routingAssignmentTimeout: { type: 'integer', min: 0 },
  inboundTimeout: { type: 'integer', min: 0 },
  url: URL,
  method: POST,
  record: {
    type: 'enum',
    values: DIAL_RECORD,
    aliases: DIAL_RECORD_ALIASES,
    default: 'do-not-record',
  },
  trim: { type: 'enum', values: TRIM, default: 'do-not-trim' },
  ...RECORDING_STATUS_CALLBACK,
  statusCallback: URL,
  statusCallbackMethod: POST,
  statusCallbackEvent: { type: 'set', values: CONVERSATION_EVENTS },
} as const;

export const CONVERSATION_RELAY_ATTRIBUTES = {
  url: { type: 'url', required: true, description: 'WebSocket URL of the application' },
  ...RELAY_ATTRIBUTES,
} as const;

export const ASSISTANT_ATTRIBUTES = {
  id: { type: 'string' },
  ...RELAY_ATTRIBUTES,
} as const;

export const AI_SESSION_ATTRIBUTES = {
  aiConnector: { type: 'string' },
  aiSessionConfiguration: { type: 'string' },
} as const;

export const CONVERSATION_RELAY_SESSION_ATTRIBUTES = {
  connector: { type: 'string' },
  sessionConfiguration: { type: 'string' },
} as const;

export const LANGUAGE_ATTRIBUTES = {
  code: { type: 'language', required: true },
  ttsProvider: { type: 'string' },
  voice: { type: 'string' },
  transcriptionProvider: { type: 'string' },
  speechModel: { type: 'string' },
} as const;

export const PARAMETER_ATTRIBUTES = NAME_VALUE;
export const CONFIG_ATTRIBUTES = NAME_VALUE;
export const HEADER_ATTRIBUTES = NAME_VALUE;

export const PAY_ATTRIBUTES = {
  input: { type: 'enum', values: ['dtmf'], default: 'dtmf' },
  action: URL,
  bankAccountType: { type: 'enum', values: BANK_ACCOUNT_TYPES, default: 'consumer-checking' },
  statusCallback: URL,
  statusCallbackMethod: POST,
  timeout: { type: 'integer', min: 1, default: 5 },
  maxAttempts: { type: 'integer', min: 1, max: 3, default: 1 },
  securityCode: { type: 'boolean', default: true },
  /** `true`, `false`, or the postal code itself. */
  postalCode: { type: 'string', default: 'true' },
  minPostalCodeLength: { type: 'integer', min: 0, default: 0 },
  paymentConnector: { type: 'string', default: 'Default' },
  paymentMethod: { type: 'enum', values: ['ach-debit', 'credit-card'], default: 'credit-card' },
  tokenType: {
    type: 'enum',
    values: ['one-time', 'reusable', 'payment-method'],
    default: 'reusable',
  },
  chargeAmount: {
    type: 'string',
    pattern: /^\d{1,12}(?:\.\d{1,4})?$/,
    expected: 'a decimal amount such as 10.50',
  },
  currency: { type: 'string', default: 'usd' },
  description: { type: 'string' },
  validCardTypes: { type: 'set', values: CARD_TYPES, default: ['visa', 'mastercard', 'amex'] },
  language: { type: 'language', default: 'en-US' },
} as const;

export const PROMPT_ATTRIBUTES = {
  for: { type: 'enum', values: PROMPT_FOR },
  attempt: { type: 'integerList', min: 1 },
  cardType: { type: 'set', values: CARD_TYPES },
  errorType: { type: 'set', values: PROMPT_ERROR_TYPES },
  requireMatchingInputs: { type: 'boolean', default: false },
} as const;

export const SMS_ATTRIBUTES = {
  to: { type: 'string' },
  from: { type: 'string' },
  ...ACTION,
  statusCallback: URL,
} as const;

export const SSML_BREAK_ATTRIBUTES = {
  strength: { type: 'enum', values: SSML_BREAK_STRENGTH },
  time: {
    type: 'string',
    pattern: /^\d{1,6}(?:\.\d{1,3})?m?s$/,
    expected: 'a duration such as 500ms or 2s',
  },
} as const;
export const SSML_EMPHASIS_ATTRIBUTES = {
  level: { type: 'enum', values: SSML_EMPHASIS_LEVEL },
} as const;
export const SSML_LANG_ATTRIBUTES = { 'xml:lang': { type: 'language', required: true } } as const;
export const SSML_PHONEME_ATTRIBUTES = {
  alphabet: { type: 'enum', values: SSML_PHONEME_ALPHABET },
  ph: { type: 'string', required: true },
} as const;
export const SSML_PROSODY_ATTRIBUTES = {
  pitch: { type: 'string' },
  rate: { type: 'string' },
  volume: { type: 'string' },
} as const;
export const SSML_SAY_AS_ATTRIBUTES = {
  'interpret-as': { type: 'enum', values: SSML_SAY_AS_INTERPRET_AS, required: true },
  format: { type: 'enum', values: SSML_SAY_AS_FORMAT },
} as const;
export const SSML_SUB_ATTRIBUTES = { alias: { type: 'string', required: true } } as const;
export const SSML_W_ATTRIBUTES = { role: { type: 'string' } } as const;

const NONE = {} as const;

// ---------------------------------------------------------------------------------------
// Content models

export const VERB_KINDS = [
  'Say',
  'Play',
  'Pause',
  'Gather',
  'Record',
  'Hangup',
  'Reject',
  'Redirect',
  'Dial',
  'Enqueue',
  'Leave',
  'Connect',
  'Start',
  'Stop',
  'Refer',
  'Pay',
  'Echo',
  'Sms',
] as const;

/** What a `<WhatsApp url>` whisper document may contain (seed: Play, Say, Gather, Hangup; Pause too). */
export const WHISPER_VERB_KINDS = ['Say', 'Play', 'Pause', 'Gather', 'Hangup'] as const;

export const DIAL_NOUN_KINDS = [
  'Number',
  'Client',
  'Sip',
  'Conference',
  'Queue',
  'WhatsApp',
  'Sim',
  'Application',
] as const;
export const CONNECT_NOUN_KINDS = [
  'Stream',
  'Room',
  'ConversationRelay',
  'Conversation',
  'VirtualAgent',
  'Assistant',
  'AiSession',
  'ConversationRelaySession',
  'Autopilot',
] as const;
export const START_NOUN_KINDS = ['Stream', 'Siprec', 'Transcription', 'Recording'] as const;
export const STOP_NOUN_KINDS = ['Stream', 'Siprec', 'Transcription'] as const;
const MEDIA_KINDS = ['Say', 'Play', 'Pause'] as const;

/** Every SSML element `<Say>` accepts. */
export const SSML_KINDS = [
  'break',
  'emphasis',
  'lang',
  'p',
  'phoneme',
  'prosody',
  's',
  'say-as',
  'sub',
  'w',
] as const;
const SSML_IN_EMPHASIS = [
  'break',
  'emphasis',
  'lang',
  'phoneme',
  'prosody',
  'say-as',
  'sub',
  'w',
] as const;
const SSML_IN_P = [
  'break',
  'emphasis',
  'lang',
  'phoneme',
  'prosody',
  's',
  'say-as',
  'sub',
  'w',
] as const;
const SSML_IN_S = [
  'break',
  'emphasis',
  'lang',
  'phoneme',
  'prosody',
  'say-as',
  'sub',
  'w',
] as const;
const SSML_IN_W = ['break', 'emphasis', 'phoneme', 'prosody', 'say-as', 'sub'] as const;

const PARAMETERS = { field: 'parameters', kinds: ['Parameter'] } as const;
const CONFIGS = { field: 'configs', kinds: ['Config'] } as const;
const LANGUAGES = { field: 'languages', kinds: ['Language'] } as const;

/** The schema: every element kind of TwiML Voice. */
export const ELEMENTS = {
  Response: {
    tag: 'Response',
    role: 'document',
    attributes: NONE,
    children: [{ field: 'verbs', kinds: VERB_KINDS }],
  },

  // Verbs -------------------------------------------------------------------------------
  Say: { tag: 'Say', role: 'verb', attributes: SAY_ATTRIBUTES, mixed: SSML_KINDS },
  Play: {
    tag: 'Play',
    role: 'verb',
    attributes: PLAY_ATTRIBUTES,
    text: { field: 'url', required: false, rule: 'url' },
  },
  Pause: { tag: 'Pause', role: 'verb', attributes: PAUSE_ATTRIBUTES },
  Gather: {
    tag: 'Gather',
    role: 'verb',
    attributes: GATHER_ATTRIBUTES,
    children: [{ field: 'children', kinds: MEDIA_KINDS }],
  },
  Record: { tag: 'Record', role: 'verb', attributes: RECORD_ATTRIBUTES },
  Hangup: { tag: 'Hangup', role: 'verb', attributes: NONE, children: [PARAMETERS] },
  Reject: { tag: 'Reject', role: 'verb', attributes: REJECT_ATTRIBUTES, children: [PARAMETERS] },
  Redirect: {
    tag: 'Redirect',
    role: 'verb',
    attributes: REDIRECT_ATTRIBUTES,
    text: { field: 'url', required: true, rule: 'url' },
  },
  Dial: {
    tag: 'Dial',
    role: 'verb',
    attributes: DIAL_ATTRIBUTES,
    text: {
      field: 'number',
      required: false,
      rule: 'phoneNumber',
      toChild: { kind: 'Number', field: 'phoneNumber' },
    },
    children: [{ field: 'nouns', kinds: DIAL_NOUN_KINDS, min: 1, max: 10 }],
  },
  Enqueue: {
    tag: 'Enqueue',
    role: 'verb',
    attributes: ENQUEUE_ATTRIBUTES,
    text: { field: 'name', required: false, rule: 'text' },
    children: [{ field: 'task', kinds: ['Task'], single: true }],
  },
  Leave: { tag: 'Leave', role: 'verb', attributes: NONE },
  Connect: {
    tag: 'Connect',
    role: 'verb',
    attributes: ACTION,
    children: [{ field: 'noun', kinds: CONNECT_NOUN_KINDS, single: true, min: 1 }],
  },
  Start: {
    tag: 'Start',
    role: 'verb',
    attributes: ACTION,
    children: [{ field: 'nouns', kinds: START_NOUN_KINDS, min: 1 }],
  },
  Stop: {
    tag: 'Stop',
    role: 'verb',
    attributes: NONE,
    children: [{ field: 'nouns', kinds: STOP_NOUN_KINDS, min: 1 }],
  },
  Refer: {
    tag: 'Refer',
    role: 'verb',
    attributes: ACTION,
    children: [{ field: 'sip', kinds: ['ReferSip'], single: true, min: 1 }],
  },
  Pay: {
    tag: 'Pay',
    role: 'verb',
    attributes: PAY_ATTRIBUTES,
    children: [{ field: 'prompts', kinds: ['Prompt'] }, PARAMETERS],
  },
  Echo: { tag: 'Echo', role: 'verb', attributes: NONE },
  Sms: {
    tag: 'Sms',
    role: 'verb',
    attributes: SMS_ATTRIBUTES,
    text: { field: 'message', required: true, rule: 'text' },
  },

  // Dial nouns --------------------------------------------------------------------------
  Number: {
    tag: 'Number',
    role: 'noun',
    attributes: NUMBER_ATTRIBUTES,
    text: { field: 'phoneNumber', required: true, rule: 'phoneNumber' },
  },
  Client: {
    tag: 'Client',
    role: 'noun',
    attributes: CLIENT_ATTRIBUTES,
    text: { field: 'identity', required: true, rule: 'text', fromChild: 'Identity' },
    children: [PARAMETERS],
  },
  Sip: {
    tag: 'Sip',
    role: 'noun',
    attributes: SIP_ATTRIBUTES,
    text: { field: 'uri', required: false, rule: 'sipUri' },
    children: [
      { field: 'uris', kinds: ['Uri'] },
      { field: 'headers', kinds: ['Headers'], single: true },
    ],
  },
  Uri: {
    tag: 'Uri',
    role: 'noun',
    attributes: SIP_URI_ATTRIBUTES,
    text: { field: 'uri', required: true, rule: 'sipUri' },
  },
  Headers: {
    tag: 'Headers',
    role: 'noun',
    attributes: NONE,
    children: [{ field: 'headers', kinds: ['Header'] }],
  },
  Header: { tag: 'Header', role: 'noun', attributes: HEADER_ATTRIBUTES },
  Conference: {
    tag: 'Conference',
    role: 'noun',
    attributes: CONFERENCE_ATTRIBUTES,
    text: { field: 'name', required: true, rule: 'text' },
  },
  Queue: {
    tag: 'Queue',
    role: 'noun',
    attributes: QUEUE_ATTRIBUTES,
    text: { field: 'name', required: true, rule: 'text' },
  },
  WhatsApp: {
    tag: 'WhatsApp',
    role: 'noun',
    attributes: WHATSAPP_ATTRIBUTES,
    text: { field: 'phoneNumber', required: true, rule: 'e164' },
  },
  Sim: {
    tag: 'Sim',
    role: 'noun',
    attributes: NONE,
    text: { field: 'simSid', required: true, rule: 'text' },
  },
  Application: {
    tag: 'Application',
    role: 'noun',
    attributes: APPLICATION_ATTRIBUTES,
    text: { field: 'applicationSid', required: true, rule: 'text', fromChild: 'ApplicationSid' },
    children: [PARAMETERS],
  },

  // Other nouns -------------------------------------------------------------------------
  Task: {
    tag: 'Task',
    role: 'noun',
    attributes: TASK_ATTRIBUTES,
    text: { field: 'body', required: true, rule: 'json' },
  },
  Stream: { tag: 'Stream', role: 'noun', attributes: STREAM_ATTRIBUTES, children: [PARAMETERS] },
  Siprec: { tag: 'Siprec', role: 'noun', attributes: SIPREC_ATTRIBUTES, children: [PARAMETERS] },
  Transcription: {
    tag: 'Transcription',
    role: 'noun',
    attributes: TRANSCRIPTION_ATTRIBUTES,
    children: [CONFIGS, PARAMETERS],
  },
  Recording: { tag: 'Recording', role: 'noun', attributes: RECORDING_ATTRIBUTES },
  Room: {
    tag: 'Room',
    role: 'noun',
    attributes: ROOM_ATTRIBUTES,
    text: { field: 'name', required: true, rule: 'text' },
  },
  VirtualAgent: {
    tag: 'VirtualAgent',
    role: 'noun',
    attributes: VIRTUAL_AGENT_ATTRIBUTES,
    children: [CONFIGS, PARAMETERS],
  },
  Conversation: { tag: 'Conversation', role: 'noun', attributes: CONVERSATION_ATTRIBUTES },
  ConversationRelay: {
    tag: 'ConversationRelay',
    role: 'noun',
    attributes: CONVERSATION_RELAY_ATTRIBUTES,
    children: [LANGUAGES, PARAMETERS],
  },
  Assistant: {
    tag: 'Assistant',
    role: 'noun',
    attributes: ASSISTANT_ATTRIBUTES,
    children: [LANGUAGES, PARAMETERS],
  },
  AiSession: { tag: 'AiSession', role: 'noun', attributes: AI_SESSION_ATTRIBUTES },
  ConversationRelaySession: {
    tag: 'ConversationRelaySession',
    role: 'noun',
    attributes: CONVERSATION_RELAY_SESSION_ATTRIBUTES,
  },
  Autopilot: {
    tag: 'Autopilot',
    role: 'noun',
    attributes: NONE,
    text: { field: 'name', required: true, rule: 'text' },
  },
  Language: { tag: 'Language', role: 'noun', attributes: LANGUAGE_ATTRIBUTES },
  Parameter: { tag: 'Parameter', role: 'noun', attributes: PARAMETER_ATTRIBUTES },
  Config: { tag: 'Config', role: 'noun', attributes: CONFIG_ATTRIBUTES },
  ReferSip: {
    tag: 'Sip',
    role: 'noun',
    attributes: NONE,
    text: { field: 'uri', required: true, rule: 'sipUri' },
  },
  Prompt: {
    tag: 'Prompt',
    role: 'noun',
    attributes: PROMPT_ATTRIBUTES,
    children: [{ field: 'children', kinds: MEDIA_KINDS }],
  },

  // SSML inside <Say> -------------------------------------------------------------------
  break: { tag: 'break', role: 'ssml', attributes: SSML_BREAK_ATTRIBUTES },
  emphasis: {
    tag: 'emphasis',
    role: 'ssml',
    attributes: SSML_EMPHASIS_ATTRIBUTES,
    mixed: SSML_IN_EMPHASIS,
  },
  lang: { tag: 'lang', role: 'ssml', attributes: SSML_LANG_ATTRIBUTES, mixed: SSML_KINDS },
  p: { tag: 'p', role: 'ssml', attributes: NONE, mixed: SSML_IN_P },
  phoneme: {
    tag: 'phoneme',
    role: 'ssml',
    attributes: SSML_PHONEME_ATTRIBUTES,
    text: { field: 'text', required: false, rule: 'text', raw: true },
  },
  prosody: { tag: 'prosody', role: 'ssml', attributes: SSML_PROSODY_ATTRIBUTES, mixed: SSML_KINDS },
  s: { tag: 's', role: 'ssml', attributes: NONE, mixed: SSML_IN_S },
  'say-as': {
    tag: 'say-as',
    role: 'ssml',
    attributes: SSML_SAY_AS_ATTRIBUTES,
    text: { field: 'text', required: false, rule: 'text', raw: true },
  },
  sub: {
    tag: 'sub',
    role: 'ssml',
    attributes: SSML_SUB_ATTRIBUTES,
    text: { field: 'text', required: false, rule: 'text', raw: true },
  },
  w: { tag: 'w', role: 'ssml', attributes: SSML_W_ATTRIBUTES, mixed: SSML_IN_W },
} as const satisfies Readonly<Record<string, ElementSpec>>;

export type NodeKind = keyof typeof ELEMENTS;

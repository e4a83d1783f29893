/**
 * Documents made by Twilio's own `VoiceResponse` builder (the `twilio` npm package) parse
 * to the expected AST, for every verb, noun and attribute the builder offers, and
 * serialize-then-parse gives the same AST back.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import VoiceResponse from 'twilio/lib/twiml/VoiceResponse';
import type { TwimlDocument } from './ast';
import { parseTwiml } from './parse';
import { type AnyAttributeValue, type AttributeSpec, defaultOf } from './schema/attributes';
import { COMPILED, KNOWN_TAGS } from './schema/compiled';
import type { NodeKind } from './schema/elements';
import { serializeTwiml } from './serialize';
import { findOne } from './testing/walk';

const WHATSAPP_SENDER = 'whatsapp:+14155552671';
const WHATSAPP_USER = '+16175551212';
const STREAM_URL = 'wss://media.example.com/stream';

/** Builds a document holding one element of the kind, with the given attributes, through the builder. */
type Host = (r: VoiceResponse, attributes: never) => void;

const HOSTS: Record<Exclude<NodeKind, 'Response'>, Host> = {
  Say: (r, a) => void r.say(a, 'Hello there'),
  Play: (r, a) => void r.play(a, 'https://example.com/hello.mp3'),
  Pause: (r, a) => void r.pause(a),
  Gather: (r, a) => void r.gather(a).say('Press 1 for sales'),
  Record: (r, a) => void r.record(a),
  Hangup: (r) => void r.hangup().parameter({ name: 'reason', value: 'done' }),
  Reject: (r, a) => void r.reject(a).parameter({ name: 'why', value: 'spam' }),
  Redirect: (r, a) => void r.redirect(a, 'https://example.com/next?step=2&x=1'),
  Dial: (r, a) => void r.dial(a, '+14155552671'),
  Enqueue: (r, a) => void r.enqueue(a, 'support'),
  Leave: (r) => void r.leave(),
  Connect: (r, a) => void r.connect(a).stream({ url: STREAM_URL }),
  Start: (r, a) => void r.start(a).stream({ url: STREAM_URL }),
  Stop: (r) => void r.stop().stream({ name: 'fork' }),
  Refer: (r, a) => void r.refer(a).sip('sip:agent@example.com'),
  Pay: (r, a) => void r.pay(a),
  Echo: (r) => void r.echo(),
  Sms: (r, a) => void r.sms(a, 'Thanks for calling'),
  Number: (r, a) => void r.dial().number(a, '+1 415-555-2671'),
  Client: (r, a) => void r.dial().client(a, 'alice'),
  Sip: (r, a) => void r.dial().sip(a, 'sip:alice@example.com;transport=tls'),
  Uri: (r, a) => void r.dial().sip().uri(a, 'sip:bob@example.com'),
  Headers: (r) =>
    void r.dial().sip('sip:bob@example.com').headers().header({ name: 'X-Account', value: '42' }),
  Header: (r, a) => void r.dial().sip('sip:bob@example.com').headers().header(a),
  Conference: (r, a) => void r.dial().conference(a, 'Room 1234'),
  Queue: (r, a) => void r.dial().queue(a, 'support'),
  WhatsApp: (r, a) => void r.dial({ callerId: WHATSAPP_SENDER }).whatsApp(a, WHATSAPP_USER),
  Sim: (r) => void r.dial().sim('DE0123456789abcdef0123456789abcdef'),
  Application: (r, a) => void r.dial().application(a, 'AP0123456789abcdef0123456789abcdef'),
  Task: (r, a) => void r.enqueue({ workflowSid: 'WW1' }).task(a, '{"language":"es"}'),
  Stream: (r, a) => void r.start().stream(a),
  Siprec: (r, a) => void r.start().siprec(a),
  Transcription: (r, a) => void r.start().transcription(a),
  Recording: (r, a) => void r.start().recording(a),
  Room: (r, a) => void r.connect().room(a, 'standup'),
  VirtualAgent: (r, a) => void r.connect().virtualAgent(a),
  Conversation: (r, a) => void r.connect().conversation(a),
  ConversationRelay: (r, a) => void r.connect().conversationRelay(a),
  Assistant: (r, a) => void r.connect().assistant(a),
  AiSession: (r, a) => void r.connect().aiSession(a),
  ConversationRelaySession: (r, a) => void r.connect().conversationRelaySession(a),
  Autopilot: (r) => void r.connect().autopilot('UA0123'),
  Language: (r, a) => void r.connect().conversationRelay({ url: STREAM_URL }).language(a),
  Parameter: (r, a) => void r.connect().stream({ url: STREAM_URL }).parameter(a),
  Config: (r, a) => void r.start().transcription().config(a),
  ReferSip: (r) => void r.refer().sip('sip:agent@example.com'),
  Prompt: (r, a) => void r.pay().prompt(a).say('Enter your card number'),
  break: (r, a) => void r.say('Wait').break(a),
  emphasis: (r, a) => void r.say('This is ').emphasis(a, 'important'),
  lang: (r, a) => void r.say('Say ').lang(a, 'bonjour'),
  p: (r) => void r.say('').p('A paragraph.'),
  phoneme: (r, a) => void r.say('I say ').phoneme(a, 'tomato'),
  prosody: (r, a) => void r.say('').prosody(a, 'slowly'),
  s: (r) => void r.say('').s('A sentence.'),
  'say-as': (r, a) => void r.say('Call ').sayAs(a, '4155552671'),
  sub: (r, a) => void r.say('').sub(a, 'W3C'),
  w: (r, a) => void r.say('I ').w(a, 'read'),
};

/** Values for attributes whose type needs a specific shape. */
const OVERRIDES: Readonly<
  Record<string, { readonly raw: unknown; readonly value: AnyAttributeValue }>
> = {
  'Dial.callerId': { raw: 'client:alice', value: 'client:alice' },
  'Gather.speechModel': { raw: 'phone_call', value: 'phone_call' },
  'Transcription.transcriptionEngine': { raw: 'deepgram', value: 'deepgram' },
  'Pay.chargeAmount': { raw: '10.50', value: '10.50' },
  'break.time': { raw: '750ms', value: '750ms' },
};

const TRICKY_TEXT = 'A & "B" <c>';

/** A valid, non-default value for an attribute: what to hand the builder, and what the AST must hold. */
function sample(
  kind: NodeKind,
  name: string,
  spec: AttributeSpec,
): { raw: unknown; value: AnyAttributeValue } {
  const override = OVERRIDES[`${kind}.${name}`];
  if (override !== undefined) return override;
  switch (spec.type) {
    case 'string':
      return { raw: TRICKY_TEXT, value: TRICKY_TEXT };
    case 'url':
      return { raw: 'https://example.com/hook?a=1&b=2', value: 'https://example.com/hook?a=1&b=2' };
    case 'boolean': {
      const value = !(spec.default ?? false);
      return { raw: value, value };
    }
    case 'integer': {
      const min = spec.min ?? 0;
      let value = spec.default !== undefined ? spec.default + 1 : min + 2;
      if (spec.max !== undefined && value > spec.max) value = spec.max - 1;
      return { raw: value, value };
    }
    case 'enum': {
      const last = spec.values[spec.values.length - 1] ?? '';
      const value = last !== spec.default ? last : (spec.values[0] ?? '');
      return { raw: value, value };
    }
    case 'set': {
      const picked = spec.values.slice(-2);
      return { raw: [...picked].reverse(), value: picked };
    }
    case 'integerList':
      return { raw: [3, 1], value: [1, 3] };
    case 'method':
      return { raw: 'get', value: 'GET' };
    case 'speechTimeout':
      return { raw: 'auto', value: 'auto' };
    case 'callerId':
      return { raw: '+14155552671', value: '+14155552671' };
    case 'keys':
      return spec.multiple ? { raw: '#*', value: '#*' } : { raw: '*', value: '*' };
    case 'digits':
      return { raw: 'ww12#', value: 'ww12#' };
    case 'language':
      return { raw: 'fr-FR', value: 'fr-FR' };
    case 'voice':
      return { raw: 'Polly.Joanna', value: 'Polly.Joanna' };
  }
}

function build(host: Host, attributes: Record<string, unknown>): string {
  const response = new VoiceResponse();
  host(response, attributes as never);
  return response.toString();
}

function parseOk(xml: string): TwimlDocument {
  const result = parseTwiml(xml);
  if (!result.ok) throw new Error(`${result.error.code} ${result.error.message} in ${xml}`);
  expect(result.warnings).toEqual([]);
  return result.document;
}

function expectRoundTrip(document: TwimlDocument): void {
  const again = parseTwiml(serializeTwiml(document));
  expect(again.ok && again.document).toEqual(document);
  const pretty = parseTwiml(serializeTwiml(document, { indent: 2 }));
  expect(pretty.ok && pretty.document).toEqual(document);
}

const kinds = Object.keys(HOSTS) as Exclude<NodeKind, 'Response'>[];

describe('documents from twilio VoiceResponse', () => {
  describe.each(kinds)('<%s>', (kind) => {
    const el = COMPILED.get(kind);
    const host = HOSTS[kind];
    if (el === undefined) throw new Error(kind);

    it('parses with only defaults when built without attributes', () => {
      const required = Object.fromEntries(
        el.required.map((name) => {
          const spec = el.attributes.get(name);
          return [name, spec === undefined ? undefined : sample(kind, name, spec).raw];
        }),
      );
      const needsUrl = kind === 'Stream' ? { url: STREAM_URL } : {};
      const doc = parseOk(build(host, { ...required, ...needsUrl }));
      const node = findOne(doc, kind);
      const expected: Record<string, unknown> = Object.fromEntries(el.defaults);
      for (const name of el.required) {
        const spec = el.attributes.get(name);
        if (spec !== undefined) expected[name] = sample(kind, name, spec).value;
      }
      if (kind === 'Stream') expected.url = STREAM_URL;
      expect(node.attributes).toEqual(expected);
      expectRoundTrip(doc);
    });

    if (el.attributeNames.length > 0) {
      it('parses every attribute to its typed value and round-trips', () => {
        const raw: Record<string, unknown> = {};
        const expected: Record<string, unknown> = {};
        for (const name of el.attributeNames) {
          const spec = el.attributes.get(name);
          if (spec === undefined) continue;
          const s = sample(kind, name, spec);
          raw[name] = s.raw;
          expected[name] = s.value;
        }
        const xml = build(host, raw);
        const doc = parseOk(xml);
        const node = findOne(doc, kind);
        expect(node.attributes).toEqual(expected);
        // Non-default values survive serialization as attributes.
        const out = serializeTwiml(doc);
        for (const name of el.attributeNames) {
          const spec = el.attributes.get(name);
          if (
            spec !== undefined &&
            JSON.stringify(defaultOf(spec)) !== JSON.stringify(expected[name])
          ) {
            expect(out).toContain(` ${name}="`);
          }
        }
        expectRoundTrip(doc);
      });
    }
  });

  it('exercises every element kind of the schema', () => {
    expect([...kinds, 'Response'].sort()).toEqual([...COMPILED.keys()].sort());
  });
});

describe('the schema covers everything the builder offers', () => {
  const builderDir = dirname(require.resolve('twilio/lib/twiml/VoiceResponse'));
  const dts = readFileSync(join(builderDir, 'VoiceResponse.d.ts'), 'utf8');
  const js = readFileSync(join(builderDir, 'VoiceResponse.js'), 'utf8');

  // Builder attribute interfaces and the kind they describe.
  const INTERFACE_KIND: Readonly<Record<string, NodeKind>> = {
    Say: 'Say',
    Play: 'Play',
    Pause: 'Pause',
    Gather: 'Gather',
    Record: 'Record',
    Reject: 'Reject',
    Redirect: 'Redirect',
    Dial: 'Dial',
    Enqueue: 'Enqueue',
    Connect: 'Connect',
    Start: 'Start',
    Refer: 'Refer',
    Pay: 'Pay',
    Sms: 'Sms',
    Number: 'Number',
    Client: 'Client',
    Sip: 'Sip',
    SipUri: 'Uri',
    Header: 'Header',
    Conference: 'Conference',
    Queue: 'Queue',
    WhatsApp: 'WhatsApp',
    Application: 'Application',
    Task: 'Task',
    Stream: 'Stream',
    Siprec: 'Siprec',
    Transcription: 'Transcription',
    Recording: 'Recording',
    Room: 'Room',
    VirtualAgent: 'VirtualAgent',
    Conversation: 'Conversation',
    ConversationRelay: 'ConversationRelay',
    Assistant: 'Assistant',
    AiSession: 'AiSession',
    ConversationRelaySession: 'ConversationRelaySession',
    Language: 'Language',
    Parameter: 'Parameter',
    Config: 'Config',
    Prompt: 'Prompt',
    SsmlBreak: 'break',
    SsmlEmphasis: 'emphasis',
    SsmlLang: 'lang',
    SsmlPhoneme: 'phoneme',
    SsmlProsody: 'prosody',
    SsmlSayAs: 'say-as',
    SsmlSub: 'sub',
    SsmlW: 'w',
  };

  const interfaces = new Map<string, Set<string>>();
  for (const match of dts.matchAll(/interface (\w+)Attributes \{([^}]*)\}/g)) {
    const [, name = '', body = ''] = match;
    const attributes = interfaces.get(name) ?? new Set<string>();
    for (const attr of body.matchAll(/^\s*"?([\w:-]+)"?\?:/gm)) attributes.add(attr[1] ?? '');
    interfaces.set(name, attributes);
  }

  it('finds the builder attribute interfaces', () => {
    expect(interfaces.size).toBeGreaterThan(40);
    expect([...interfaces.keys()].sort()).toEqual(Object.keys(INTERFACE_KIND).sort());
  });

  it.each([...interfaces.entries()])(
    'every attribute of %sAttributes is in the schema',
    (name, attributes) => {
      const kind = INTERFACE_KIND[name];
      const el = kind === undefined ? undefined : COMPILED.get(kind);
      expect(el).toBeDefined();
      const missing = [...attributes].filter((a) => el?.attributes.has(a) !== true);
      expect(missing).toEqual([]);
    },
  );

  it('knows every tag the builder can write', () => {
    const tags = new Set([...js.matchAll(/\.ele\("([\w:-]+)"/g)].map((m) => m[1] ?? ''));
    expect(tags.size).toBeGreaterThan(50);
    expect([...tags].filter((t) => !KNOWN_TAGS.has(t))).toEqual([]);
  });
});

/**
 * Property-based tests (fast-check):
 * - on any input, arbitrary strings, XML-ish token soup or mutated valid documents,
 *   `parseTwiml` never throws and returns exactly one of its two shapes;
 * - whatever it accepts, serialize-then-parse gives the same document back;
 * - random documents generated from the schema are accepted and round-trip.
 */
import fc from 'fast-check';
import VoiceResponse from 'twilio/lib/twiml/VoiceResponse';
import { type ParseResult, parseTwiml } from './parse';
import type { AttributeSpec } from './schema/attributes';
import { compiled } from './schema/compiled';
import type { NodeKind } from './schema/elements';
import { serializeTwiml } from './serialize';
import { loadFixtures } from './testing/fixtures';

const CODES = [11750, 12100, 12200];

/** Exactly one of the two documented shapes, and never an internal error. */
function checkShape(result: ParseResult): void {
  if (result.ok) {
    expect(Object.keys(result).sort()).toEqual(['document', 'ok', 'warnings']);
    expect(result.document.kind).toBe('Response');
    expect(Array.isArray(result.document.verbs)).toBe(true);
    for (const w of result.warnings) {
      expect(w.code).toBe(12200);
      expect(w.line).toBeGreaterThanOrEqual(1);
      expect(w.column).toBeGreaterThanOrEqual(1);
    }
    return;
  }
  expect(result.ok).toBe(false);
  expect(Object.keys(result).sort()).toEqual(['error', 'ok']);
  expect(CODES).toContain(result.error.code);
  expect(typeof result.error.message).toBe('string');
  expect(result.error.message).not.toMatch(/internal parser error/);
  if (result.error.code !== 11750) {
    expect(Number.isInteger(result.error.line)).toBe(true);
    expect(Number.isInteger(result.error.column)).toBe(true);
    expect(result.error.line).toBeGreaterThanOrEqual(1);
    expect(result.error.column).toBeGreaterThanOrEqual(1);
  }
}

/** Accepted documents survive serialize-then-parse unchanged, compact or indented. */
function checkRoundTrip(result: ParseResult, context?: 'call' | 'whisper'): void {
  if (!result.ok) return;
  const xml = serializeTwiml(result.document);
  const again = parseTwiml(xml, { context });
  expect(again.ok && again.document).toEqual(result.document);
  expect(again.ok && serializeTwiml(again.document)).toBe(xml);
  const pretty = parseTwiml(serializeTwiml(result.document, { indent: 1 }), { context });
  expect(pretty.ok && pretty.document).toEqual(result.document);
}

function parseAny(xml: string, context?: 'call' | 'whisper'): ParseResult {
  let result: ParseResult | undefined;
  expect(() => {
    result = parseTwiml(xml, { context });
  }).not.toThrow();
  if (result === undefined) throw new Error('no result');
  checkShape(result);
  return result;
}

// ---------------------------------------------------------------------------------------
// Inputs

const TOKENS = [
  '<?xml version="1.0" encoding="UTF-8"?>',
  '<Response>',
  '</Response>',
  '<Response/>',
  '<Say>',
  '</Say>',
  '<Say voice="alice">',
  '<Play>',
  '</Play>',
  '<Pause length="2"/>',
  '<Pause/>',
  '<Gather input="speech dtmf" timeout="3">',
  '</Gather>',
  '<Dial>',
  '</Dial>',
  '<Dial callerId="whatsapp:+14155552671">',
  '<Number>',
  '</Number>',
  '<WhatsApp>',
  '</WhatsApp>',
  '<Client>',
  '</Client>',
  '<Identity>',
  '</Identity>',
  '<Conference>',
  '</Conference>',
  '<Hangup/>',
  '<Redirect>',
  '</Redirect>',
  '<break/>',
  '<emphasis>',
  '</emphasis>',
  '<say-as interpret-as="digits">',
  '</say-as>',
  '<Parameter name="a" value="b"/>',
  '+14155552671',
  '+16175551212',
  '415-123-4567',
  'sip:a@b',
  'https://example.com/a?b=1&amp;c=2',
  'Hello',
  ' ',
  '\n',
  '\r\n',
  '\t',
  '&amp;',
  '&lt;',
  '&',
  '&#x41;',
  '&#0;',
  '&nbsp;',
  '<![CDATA[',
  ']]>',
  '<!--',
  '-->',
  '<?pi x?>',
  '<!DOCTYPE r>',
  '<!ENTITY a "b">',
  '"',
  "'",
  '=',
  '<',
  '>',
  '/>',
  '</',
  'timeout="10"',
  'method="GET"',
  'loop="0"',
  '\u0000',
  '\uFEFF',
  '\uD800',
  '😀',
];

const tokenSoup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 60 }).map((t) => t.join(''));

function builderDocuments(): string[] {
  const r = new VoiceResponse();
  r.say({ voice: 'Polly.Joanna', loop: 2 }, 'Welcome to <Parley> & friends').break({ time: '1s' });
  const gather = r.gather({ input: ['speech', 'dtmf'], numDigits: 1, action: '/menu?x=1&y=2' });
  gather.say('Press 1');
  gather.pause({ length: 1 });
  const dial = r.dial({
    callerId: 'whatsapp:+14155552671',
    timeout: 20,
    record: 'record-from-answer',
  });
  dial.whatsApp(
    { statusCallbackEvent: ['answered', 'completed'], url: '/whisper' },
    '+16175551212',
  );
  r.dial().client({ url: '/w' }, 'alice');
  const c = r.connect({ action: '/after' });
  c.stream({ url: 'wss://example.com/s', track: 'inbound_track' }).parameter({
    name: 'n',
    value: 'v',
  });
  r.enqueue({ workflowSid: 'WW1', waitUrl: '/wait' }, 'support').task({ priority: 2 }, '{"a":1}');
  r.hangup();
  return [r.toString()];
}

const VALID_DOCUMENTS = [...loadFixtures('valid').map((f) => f.xml), ...builderDocuments()];

type Mutation =
  | { readonly op: 'delete'; readonly at: number; readonly length: number }
  | { readonly op: 'insert'; readonly at: number; readonly text: string }
  | { readonly op: 'replace'; readonly at: number; readonly text: string }
  | { readonly op: 'duplicate'; readonly at: number; readonly length: number }
  | { readonly op: 'swap'; readonly at: number; readonly other: number; readonly length: number };

const position = fc.double({ min: 0, max: 1, noNaN: true });
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    op: fc.constant('delete' as const),
    at: position,
    length: fc.integer({ min: 1, max: 40 }),
  }),
  fc.record({
    op: fc.constant('insert' as const),
    at: position,
    text: fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 8 })),
  }),
  fc.record({
    op: fc.constant('replace' as const),
    at: position,
    text: fc.oneof(
      fc.constantFrom(...TOKENS),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 2 }),
    ),
  }),
  fc.record({
    op: fc.constant('duplicate' as const),
    at: position,
    length: fc.integer({ min: 1, max: 200 }),
  }),
  fc.record({
    op: fc.constant('swap' as const),
    at: position,
    other: position,
    length: fc.integer({ min: 1, max: 30 }),
  }),
);

function mutate(xml: string, mutations: readonly Mutation[]): string {
  let s = xml;
  for (const m of mutations) {
    const at = Math.floor(m.at * s.length);
    switch (m.op) {
      case 'delete':
        s = s.slice(0, at) + s.slice(at + m.length);
        break;
      case 'insert':
        s = s.slice(0, at) + m.text + s.slice(at);
        break;
      case 'replace':
        s = s.slice(0, at) + m.text + s.slice(at + m.text.length);
        break;
      case 'duplicate':
        s = s.slice(0, at) + s.slice(at, at + m.length) + s.slice(at);
        break;
      case 'swap': {
        const a = Math.min(at, Math.floor(m.other * s.length));
        const b = Math.max(at, Math.floor(m.other * s.length));
        if (b - a < m.length) break;
        s =
          s.slice(0, a) +
          s.slice(b, b + m.length) +
          s.slice(a + m.length, b) +
          s.slice(a, a + m.length) +
          s.slice(b + m.length);
        break;
      }
    }
  }
  return s;
}

// ---------------------------------------------------------------------------------------
// Random valid documents from the schema

const XML_UNSAFE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF\uD800-\uDFFF]/g;
const TRICKY_CHARS = fc.constantFrom(
  'a',
  'Z',
  '0',
  ' ',
  '  ',
  '\t',
  '\n',
  '\r',
  '\r\n',
  '&',
  '<',
  '>',
  '"',
  "'",
  ']]>',
  'é',
  '😀',
  '\u00A0',
);
const xmlText = (max: number) =>
  fc
    .oneof(
      fc.string({ unit: 'grapheme', maxLength: max }),
      fc.string({ unit: TRICKY_CHARS, maxLength: max }),
    )
    .map((s) => s.replace(XML_UNSAFE, '').slice(0, max));

function escapeAttr(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/"/g, '&quot;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}
function escapeText(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r/g, '&#13;');
}

function valueOf(spec: AttributeSpec): fc.Arbitrary<string> {
  switch (spec.type) {
    case 'string':
      if (spec.pattern !== undefined)
        return fc.stringMatching(spec.pattern).filter((s) => s.trim() === s && s !== '');
      return xmlText(spec.maxLength ?? 30).filter((s) => spec.required !== true || s.length > 0);
    case 'url':
      return fc.oneof(fc.webUrl({ withQueryParameters: true }), xmlText(20));
    case 'boolean':
      return fc.constantFrom('true', 'false', 'TRUE', 'False');
    case 'integer': {
      const min = spec.min ?? 0;
      return fc.integer({ min, max: spec.max ?? min + 100_000 }).map(String);
    }
    case 'enum':
      return fc.constantFrom(...spec.values, ...Object.keys(spec.aliases ?? {}));
    case 'set':
      return fc
        .subarray([...spec.values], { minLength: 1 })
        .chain((v) => fc.shuffledSubarray(v, { minLength: v.length }))
        .map((v) => v.join(' '));
    case 'integerList':
      return fc
        .array(fc.integer({ min: spec.min ?? 0, max: 99 }), { minLength: 1, maxLength: 4 })
        .map((v) => v.join(' '));
    case 'method':
      return fc.constantFrom('GET', 'POST', 'get', 'Post');
    case 'speechTimeout':
      return fc.oneof(fc.constant('auto'), fc.nat(600).map(String));
    case 'callerId':
      return fc.constantFrom(
        '+14155552671',
        'client:alice',
        'whatsapp:+14155552671',
        'sip_user-1.x',
      );
    case 'keys':
      return spec.multiple
        ? fc.stringMatching(/^[0-9*#]{0,12}$/)
        : fc.constantFrom('', '#', '*', '5');
    case 'digits':
      return fc.stringMatching(/^[0-9*#wW]{1,10}$/);
    case 'language':
      return fc.constantFrom('en-US', 'fr-FR', 'yue-Hant-HK', 'pt-BR', 'de');
    case 'voice':
      return fc.constantFrom(
        'man',
        'woman',
        'alice',
        'Polly.Joanna',
        'Google.en-US-Standard-C',
        'Polly.Mía-Generative',
      );
  }
}

/** A random attribute list for an element: its required attributes, and any others. */
function attributesFor(
  kind: NodeKind,
  always: Readonly<Record<string, string>> = {},
): fc.Arbitrary<string> {
  const el = compiled(kind);
  const optional = el.attributeNames.filter((n) => !el.required.includes(n) && !(n in always));
  return fc.subarray(optional).chain((names) => {
    const chosen = [...el.required.filter((n) => !(n in always)), ...names];
    const values = chosen.map((name) => {
      const spec = el.attributes.get(name);
      if (spec === undefined) throw new Error(name);
      return valueOf(spec).map((v) => ` ${name}="${escapeAttr(v)}"`);
    });
    const fixed = Object.entries(always)
      .map(([n, v]) => ` ${n}="${escapeAttr(v)}"`)
      .join('');
    return fc.tuple(...values).map((parts) => fixed + parts.join(''));
  });
}

const element = (
  kind: NodeKind,
  content: fc.Arbitrary<string>,
  always?: Readonly<Record<string, string>>,
) =>
  fc.tuple(attributesFor(kind, always), content).map(([a, c]) => {
    const tag = compiled(kind).tag;
    return c === '' ? `<${tag}${a}/>` : `<${tag}${a}>${c}</${tag}>`;
  });

const words = xmlText(40).map((s) => `${escapeText(s)}x`);
const e164 = fc.constantFrom(
  '+14155552671',
  '+16175551212',
  '+442071838750',
  '+5511987654321',
  '+919876543210',
);
const ssml: fc.Arbitrary<string> = fc.oneof(
  words,
  element('break', fc.constant('')),
  element('emphasis', words),
  element('say-as', words),
  element('sub', words),
  element('prosody', words),
  element('lang', words),
);
const say = element(
  'Say',
  fc.array(ssml, { minLength: 1, maxLength: 5 }).map((p) => p.join('')),
);
const play = element('Play', fc.webUrl().map(escapeText));
const pause = element('Pause', fc.constant(''));
const media = fc.oneof(say, play, pause);
const parameter = element('Parameter', fc.constant(''));
const dialNouns = fc.oneof(
  fc
    .array(
      fc.oneof(
        element('Number', e164),
        element('Client', fc.stringMatching(/^[a-z]{1,10}$/)),
        element('Sip', fc.stringMatching(/^sip:[a-z]{1,8}@[a-z]{1,8}\.com$/)),
        element('WhatsApp', e164),
      ),
      { minLength: 1, maxLength: 10 },
    )
    .map((n) => n.join('')),
  element('Conference', words),
  element('Queue', words),
  e164,
);

const verb = fc.oneof(
  say,
  play,
  pause,
  element(
    'Gather',
    fc.array(media, { maxLength: 3 }).map((m) => m.join('')),
  ),
  element('Record', fc.constant('')),
  element(
    'Hangup',
    fc.array(parameter, { maxLength: 2 }).map((p) => p.join('')),
  ),
  element('Reject', fc.constant('')),
  element('Redirect', fc.webUrl().map(escapeText)),
  element('Dial', dialNouns),
  element('Enqueue', words),
  element('Leave', fc.constant('')),
  element('Connect', element('Stream', fc.constant(''), { url: 'wss://example.com/stream' })),
  element('Start', element('Recording', fc.constant(''))),
  element('Pay', element('Prompt', say)),
  element('Refer', fc.constant('<Sip>sip:agent@example.com</Sip>')),
  element('Sms', words),
  element('Echo', fc.constant('')),
);

const document = fc
  .tuple(fc.boolean(), fc.array(verb, { maxLength: 8 }), fc.constantFrom('', '\n', '\n  '))
  .map(
    ([decl, verbs, ws]) =>
      `${decl ? '<?xml version="1.0" encoding="UTF-8"?>' : ''}<Response>${ws}${verbs.join(ws)}${ws}</Response>`,
  );

// ---------------------------------------------------------------------------------------

describe('parseTwiml never throws and always returns one of its two shapes', () => {
  it('on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => void parseAny(s)),
      { numRuns: 1500 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (s) => void parseAny(s)),
      { numRuns: 500 },
    );
  });

  it('on XML-ish token soup, and accepted soup round-trips', () => {
    fc.assert(
      fc.property(
        tokenSoup,
        fc.constantFrom<'call' | 'whisper'>('call', 'whisper'),
        (xml, context) => {
          checkRoundTrip(parseAny(xml, context), context);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('on mutated valid documents, and accepted mutants round-trip', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...VALID_DOCUMENTS),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        (xml, mutations) => {
          checkRoundTrip(parseAny(mutate(xml, mutations)));
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('on non-string input', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        const result = parseTwiml(value as string);
        if (typeof value === 'string') checkShape(result);
        else
          expect(result).toEqual({
            ok: false,
            error: { code: 12100, message: 'the document is not a string' },
          });
      }),
      { numRuns: 200 },
    );
  });
});

describe('random documents generated from the schema', () => {
  it('are accepted and serialize-then-parse is the identity', () => {
    fc.assert(
      fc.property(document, (xml) => {
        const result = parseTwiml(xml);
        if (!result.ok)
          throw new Error(
            `${result.error.code} ${result.error.message} at ${result.error.column} in ${xml}`,
          );
        checkRoundTrip(result);
      }),
      { numRuns: 400 },
    );
  });
});

/**
 * Hostile documents are refused, or parsed, in milliseconds: no DTD is read, no entity
 * beyond the five built-ins is expanded, depth and size are bounded, and every pass over
 * the input is linear.
 */
import { performance } from 'node:perf_hooks';
import {
  DOCUMENT_PARSE_FAILURE,
  MAX_DEPTH,
  RESPONSE_BODY_TOO_LARGE,
  SCHEMA_VALIDATION_ERROR,
} from './errors';
import { type ParseResult, parseTwiml } from './parse';
import { loadFixtures } from './testing/fixtures';
import { containing } from './testing/matchers';

/** Generous for a 2-core CI machine; an entity expansion or a quadratic pass takes seconds. */
const BUDGET_MS = 150;

function timed(xml: string): { result: ParseResult; ms: number } {
  parseTwiml(xml); // warm up
  const start = performance.now();
  const result = parseTwiml(xml);
  return { result, ms: performance.now() - start };
}

const LAUGHS = loadFixtures('invalid').find((f) => f.name === 'doctype-billion-laughs')?.xml ?? '';

describe('entity attacks', () => {
  it('rejects billion laughs at the DOCTYPE, without expanding anything', () => {
    expect(LAUGHS).toContain('&lol9;');
    const { result, ms } = timed(LAUGHS);
    expect(result).toEqual({
      ok: false,
      error: {
        code: DOCUMENT_PARSE_FAILURE,
        message: 'DOCTYPE is not allowed in TwiML',
        line: 2,
        column: 1,
      },
    });
    expect(ms).toBeLessThan(BUDGET_MS);
  });

  it('rejects quadratic blowup (one large entity used many times)', () => {
    const xml = `<!DOCTYPE r [<!ENTITY a "${'x'.repeat(30_000)}">]><Response><Say>${'&a;'.repeat(10_000)}</Say></Response>`;
    expect(xml.length).toBeLessThan(64 * 1024);
    const { result, ms } = timed(xml);
    expect(result).toMatchObject({
      ok: false,
      error: { code: DOCUMENT_PARSE_FAILURE, message: 'DOCTYPE is not allowed in TwiML' },
    });
    expect(ms).toBeLessThan(BUDGET_MS);
  });

  it.each([
    [
      'external entity',
      '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><Response><Say>&x;</Say></Response>',
    ],
    [
      'external DTD',
      '<!DOCTYPE Response SYSTEM "http://169.254.169.254/latest/meta-data/"><Response/>',
    ],
    [
      'parameter entity',
      '<!DOCTYPE r [<!ENTITY % p SYSTEM "http://127.0.0.1/x.dtd"> %p;]><Response/>',
    ],
    ['public DTD', '<!DOCTYPE Response PUBLIC "-//X//Y" "http://example.com/y.dtd"><Response/>'],
  ])('rejects a DOCTYPE with an %s', (_, xml) => {
    expect(parseTwiml(xml)).toMatchObject({
      ok: false,
      error: { code: DOCUMENT_PARSE_FAILURE, line: 1, column: 1 },
    });
  });

  it('does not expand an entity used without a DOCTYPE', () => {
    expect(parseTwiml('<Response><Say>&lol9;</Say></Response>')).toMatchObject({
      ok: false,
      error: { code: DOCUMENT_PARSE_FAILURE, message: containing('undefined entity &lol9;') },
    });
  });

  it('decodes only the five built-in entities and character references', () => {
    const result = parseTwiml(
      '<Response><Say>&amp;&lt;&gt;&quot;&apos;&#65;&#x42;</Say></Response>',
    );
    expect(result.ok && result.document.verbs[0]).toMatchObject({
      content: [{ kind: 'text', value: '&<>"\'AB' }],
    });
  });
});

describe('limits', () => {
  it(`rejects nesting deeper than ${MAX_DEPTH}, however deep the document goes`, () => {
    const depth = 3_000;
    const xml = `<Response><Say>${'<prosody>'.repeat(depth)}x${'</prosody>'.repeat(depth)}</Say></Response>`;
    expect(xml.length).toBeLessThan(64 * 1024);
    const { result, ms } = timed(xml);
    expect(result).toMatchObject({
      ok: false,
      error: {
        code: DOCUMENT_PARSE_FAILURE,
        message: containing('nested deeper'),
        line: 1,
        column: 16 + 9 * (MAX_DEPTH - 2),
      },
    });
    expect(ms).toBeLessThan(BUDGET_MS);
  });

  it('accepts nesting up to the limit', () => {
    const inner = MAX_DEPTH - 2; // <Response> and <Say>
    const xml = `<Response><Say>${'<prosody>'.repeat(inner)}x${'</prosody>'.repeat(inner)}</Say></Response>`;
    expect(parseTwiml(xml).ok).toBe(true);
    const deeper = `<Response><Say>${'<prosody>'.repeat(inner + 1)}x${'</prosody>'.repeat(inner + 1)}</Say></Response>`;
    expect(parseTwiml(deeper).ok).toBe(false);
  });

  it('rejects over 64 kB without parsing, in well under a millisecond per kB', () => {
    const xml = `<Response>${'<Pause/>'.repeat(200_000)}</Response>`;
    const { result, ms } = timed(xml);
    expect(result).toMatchObject({ ok: false, error: { code: RESPONSE_BODY_TOO_LARGE } });
    expect(ms).toBeLessThan(BUDGET_MS);
  });
});

describe('large documents under the limit stay linear', () => {
  const cases: [string, string, boolean][] = [
    ['8,000 verbs', `<Response>${'<Pause/>'.repeat(8_000)}</Response>`, true],
    ['one long text', `<Response><Say>${'word '.repeat(12_000)}</Say></Response>`, true],
    ['many entities', `<Response><Say>${'&amp;&#x41;'.repeat(5_000)}</Say></Response>`, true],
    ['many comments', `<Response><Say>a${'<!--c-->b'.repeat(6_000)}</Say></Response>`, true],
    ['many SSML nodes', `<Response><Say>${'<break/>a'.repeat(6_000)}</Say></Response>`, true],
    [
      'many unknown attributes',
      `<Response><Say ${Array.from({ length: 5_000 }, (_, i) => `a${i}="1"`).join(' ')}>x</Say></Response>`,
      true,
    ],
    [
      'a huge attribute',
      `<Response><Redirect method="GET">${'/x'.repeat(30_000)}</Redirect></Response>`,
      true,
    ],
    ['many bare ampersands', `<Response><Say>${'& '.repeat(30_000)}</Say></Response>`, false],
    ['an unclosed comment', `<Response><!--${'-'.repeat(60_000)}`, false],
    ['many processing instructions', `<Response>${'<?p x?>'.repeat(8_000)}&</Response>`, false],
    ['a long tag name', `<Response><${'A'.repeat(60_000)}/></Response>`, false],
    ['many unknown elements deep', `<Response>${'<x>'.repeat(20_000)}</Response>`, false],
    [
      'a long phone number',
      `<Response><Dial callerId="whatsapp:+${'1'.repeat(60_000)}"><WhatsApp>+16175551212</WhatsApp></Dial></Response>`,
      false,
    ],
  ];

  it.each(cases)('%s', (_, xml, ok) => {
    expect(xml.length).toBeLessThanOrEqual(64 * 1024);
    const { result, ms } = timed(xml);
    expect(result.ok).toBe(ok);
    if (!result.ok)
      expect([DOCUMENT_PARSE_FAILURE, SCHEMA_VALIDATION_ERROR]).toContain(result.error.code);
    expect(ms).toBeLessThan(BUDGET_MS);
  });
});

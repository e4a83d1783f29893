import type { TwimlDocument } from './ast';
import { parseTwiml } from './parse';
import { serializeNode, serializeTwiml } from './serialize';

function parsed(xml: string): TwimlDocument {
  const result = parseTwiml(xml);
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.document;
}

describe('serializeTwiml', () => {
  it('writes compact XML with a declaration and without default attributes', () => {
    const doc = parsed(
      '<Response><Gather timeout="5" numDigits="1" method="POST"><Say voice="man">Hi</Say></Gather><Hangup/></Response>',
    );
    expect(serializeTwiml(doc)).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Gather numDigits="1"><Say>Hi</Say></Gather><Hangup/></Response>',
    );
    expect(serializeTwiml(doc, { xmlDeclaration: false })).toBe(
      '<Response><Gather numDigits="1"><Say>Hi</Say></Gather><Hangup/></Response>',
    );
  });

  it('indents element-only content and never touches text', () => {
    const doc = parsed(
      '<Response><Dial><Client><Identity>a</Identity><Parameter name="n" value="v"/></Client></Dial><Say>  two  spaces <break/> </Say></Response>',
    );
    expect(serializeTwiml(doc, { indent: '\t' })).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<Response>',
        '\t<Dial>',
        '\t\t<Client>',
        '\t\t\t<Identity>a</Identity>',
        '\t\t\t<Parameter name="n" value="v"/>',
        '\t\t</Client>',
        '\t</Dial>',
        '\t<Say>  two  spaces <break/> </Say>',
        '</Response>',
      ].join('\n'),
    );
  });

  it('writes a lone plain <Number> in the plain-text form, other nouns as elements', () => {
    expect(
      serializeTwiml(parsed('<Response><Dial><Number>+14155552671</Number></Dial></Response>'), {
        xmlDeclaration: false,
      }),
    ).toBe('<Response><Dial>+14155552671</Dial></Response>');
    expect(
      serializeTwiml(
        parsed('<Response><Dial><Number sendDigits="1">+14155552671</Number></Dial></Response>'),
        { xmlDeclaration: false },
      ),
    ).toBe('<Response><Dial><Number sendDigits="1">+14155552671</Number></Dial></Response>');
  });

  it('escapes text and attributes so that they read back identically', () => {
    const doc: TwimlDocument = {
      kind: 'Response',
      attributes: {},
      verbs: [
        {
          kind: 'Say',
          attributes: { voice: 'man', language: 'en-US', loop: 1 },
          content: [{ kind: 'text', value: 'a < b & c > d ]]> "q" \r\n\ttab' }],
        },
        { kind: 'Redirect', attributes: { method: 'GET' }, url: '/next?a=1&b="2"' },
        {
          kind: 'Hangup',
          attributes: {},
          parameters: [
            { kind: 'Parameter', attributes: { name: 'multi\nline', value: ' \t"<&>"\r ' } },
          ],
        },
      ],
    };
    const xml = serializeTwiml(doc);
    expect(xml).toContain('<Say>a &lt; b &amp; c &gt; d ]]&gt; "q" &#xD;\n\ttab</Say>');
    expect(xml).toContain('name="multi&#xA;line" value=" &#x9;&quot;&lt;&amp;&gt;&quot;&#xD; "');
    const again = parseTwiml(xml);
    expect(again.ok && again.document).toEqual(doc);
  });

  it('refuses text XML cannot carry', () => {
    const doc: TwimlDocument = {
      kind: 'Response',
      attributes: {},
      verbs: [{ kind: 'Redirect', attributes: { method: 'POST' }, url: '/a\u0000b' }],
    };
    expect(() => serializeTwiml(doc)).toThrow(RangeError);
  });

  it('writes attribute sets space-separated and in schema order', () => {
    const doc = parsed(
      '<Response><Dial callerId="whatsapp:+14155552671"><WhatsApp statusCallbackEvent="completed,initiated">+16175551212</WhatsApp></Dial></Response>',
    );
    expect(serializeTwiml(doc)).toContain(
      '<WhatsApp statusCallbackEvent="initiated completed">+16175551212</WhatsApp>',
    );
  });

  it('serializes a single node', () => {
    const doc = parsed(
      '<Response><Say voice="alice">Hi <emphasis>there</emphasis></Say></Response>',
    );
    const say = doc.verbs[0];
    if (say === undefined) throw new Error('no verb');
    expect(serializeNode(say)).toBe('<Say voice="alice">Hi <emphasis>there</emphasis></Say>');
  });
});

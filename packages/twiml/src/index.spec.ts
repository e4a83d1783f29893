import * as twiml from './index';
import type { DialNoun, TwimlDocument, Verb } from './index';

describe('the public API', () => {
  it('exports the parser, the serializer and the error codes', () => {
    expect(typeof twiml.parseTwiml).toBe('function');
    expect(typeof twiml.serializeTwiml).toBe('function');
    expect(typeof twiml.serializeNode).toBe('function');
    expect(twiml.DOCUMENT_PARSE_FAILURE).toBe(12100);
    expect(twiml.SCHEMA_VALIDATION_ERROR).toBe(12200);
    expect(twiml.RESPONSE_BODY_TOO_LARGE).toBe(11750);
    expect(twiml.TWIML_ERROR_CODES).toEqual({
      DOCUMENT_PARSE_FAILURE: 12100,
      SCHEMA_VALIDATION_ERROR: 12200,
      RESPONSE_BODY_TOO_LARGE: 11750,
    });
    expect(twiml.MAX_DOCUMENT_BYTES).toBe(65536);
    expect(twiml.WHISPER_VERB_KINDS).toEqual(['Say', 'Play', 'Pause', 'Gather', 'Hangup']);
  });

  it('narrows the AST by kind', () => {
    const result = twiml.parseTwiml(
      '<Response><Dial timeout="10"><WhatsApp>+16175551212</WhatsApp></Dial></Response>',
    );
    if (!result.ok) throw new Error(result.error.message);
    const doc: TwimlDocument = result.document;
    const describe = (verb: Verb): string =>
      verb.kind === 'Dial'
        ? verb.nouns
            .map((n: DialNoun) =>
              n.kind === 'WhatsApp'
                ? `whatsapp ${n.phoneNumber} after ${verb.attributes.timeout}s`
                : n.kind,
            )
            .join()
        : verb.kind;
    expect(doc.verbs.map(describe)).toEqual(['whatsapp +16175551212 after 10s']);
  });
});

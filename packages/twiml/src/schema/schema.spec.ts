import { SourceMap, utf8Length } from '../source';
import {
  defaultOf,
  formatAttribute,
  isE164,
  isWhatsAppAddress,
  parseAttribute,
} from './attributes';
import { COMPILED, KNOWN_TAGS } from './compiled';
import { ELEMENTS, VERB_KINDS, WHISPER_VERB_KINDS } from './elements';
import { checkText } from './text';

describe('the schema table', () => {
  it('gives every default a value its own type accepts', () => {
    for (const el of COMPILED.values()) {
      for (const [name, spec] of el.attributes) {
        const def = defaultOf(spec);
        if (def === undefined) continue;
        const parsed = parseAttribute(spec, formatAttribute(spec, def));
        expect({ element: el.kind, name, parsed }).toEqual({
          element: el.kind,
          name,
          parsed: { ok: true, value: def },
        });
      }
    }
  });

  it('never requires an attribute that also has a default', () => {
    for (const el of COMPILED.values()) {
      for (const name of el.required) expect(el.defaults.map(([n]) => n)).not.toContain(name);
    }
  });

  it('is frozen', () => {
    expect(Object.isFrozen(ELEMENTS)).toBe(true);
    expect(Object.isFrozen(ELEMENTS.Dial.attributes.recordingStatusCallbackEvent.default)).toBe(
      true,
    );
  });

  it('lists whisper verbs among the verbs', () => {
    for (const kind of WHISPER_VERB_KINDS) expect(VERB_KINDS).toContain(kind);
  });

  it('knows the carrier tags', () => {
    expect(KNOWN_TAGS.has('Identity')).toBe(true);
    expect(KNOWN_TAGS.has('ApplicationSid')).toBe(true);
    expect(KNOWN_TAGS.has('constructor')).toBe(false);
  });
});

describe('parseAttribute', () => {
  it('integers: whole, in range, no decimals or exponents', () => {
    const spec = { type: 'integer', min: 5, max: 600 } as const;
    expect(parseAttribute(spec, ' 10 ')).toEqual({ ok: true, value: 10 });
    expect(parseAttribute(spec, '+10')).toEqual({ ok: true, value: 10 });
    for (const bad of ['10.0', '1e2', '0x10', '-5', '4', '601', '99999999999999999999']) {
      expect(parseAttribute(spec, bad).ok).toBe(false);
    }
    expect(parseAttribute(spec, '  ')).toEqual({ ok: 'empty' });
  });

  it('enums with aliases', () => {
    const spec = ELEMENTS.Dial.attributes.record;
    expect(parseAttribute(spec, 'true')).toEqual({ ok: true, value: 'record-from-answer' });
    expect(parseAttribute(spec, 'false')).toEqual({ ok: true, value: 'do-not-record' });
    expect(parseAttribute(spec, 'record-from-ringing')).toEqual({
      ok: true,
      value: 'record-from-ringing',
    });
    expect(parseAttribute(spec, 'toString').ok).toBe(false);
    expect(parseAttribute(spec, 'Record-From-Answer').ok).toBe(false);
  });

  it('sets: space or comma separated, de-duplicated, in schema order', () => {
    const spec = ELEMENTS.Number.attributes.statusCallbackEvent;
    expect(parseAttribute(spec, 'completed ringing,initiated  ringing')).toEqual({
      ok: true,
      value: ['initiated', 'ringing', 'completed'],
    });
    expect(parseAttribute(spec, 'completed busy').ok).toBe(false);
  });

  it('keys: one key for Gather, any for Record', () => {
    expect(parseAttribute(ELEMENTS.Gather.attributes.finishOnKey, '')).toEqual({
      ok: true,
      value: '',
    });
    expect(parseAttribute(ELEMENTS.Gather.attributes.finishOnKey, '##').ok).toBe(false);
    expect(parseAttribute(ELEMENTS.Record.attributes.finishOnKey, '#*0')).toEqual({
      ok: true,
      value: '#*0',
    });
    expect(parseAttribute(ELEMENTS.Record.attributes.finishOnKey, 'a').ok).toBe(false);
  });

  it('strings: max length and patterns', () => {
    expect(parseAttribute(ELEMENTS.Dial.attributes.callReason, 'x'.repeat(50)).ok).toBe(true);
    expect(parseAttribute(ELEMENTS.Dial.attributes.callReason, 'x'.repeat(51)).ok).toBe(false);
    expect(parseAttribute(ELEMENTS.Pay.attributes.chargeAmount, '10.50')).toEqual({
      ok: true,
      value: '10.50',
    });
    expect(parseAttribute(ELEMENTS.Pay.attributes.chargeAmount, 'ten').ok).toBe(false);
    expect(parseAttribute(ELEMENTS.Parameter.attributes.value, '')).toEqual({
      ok: true,
      value: '',
    });
  });

  it('voices and languages', () => {
    for (const voice of [
      'man',
      'woman',
      'alice',
      'Polly.Joanna-Neural',
      'Google.en-US-Chirp3-HD-Aoede',
      'Polly.Rémi-Generative',
    ]) {
      expect(parseAttribute(ELEMENTS.Say.attributes.voice, voice).ok).toBe(true);
    }
    for (const voice of ['Joanna', 'Polly.', 'Polly. Joanna'])
      expect(parseAttribute(ELEMENTS.Say.attributes.voice, voice).ok).toBe(false);
    for (const lang of ['en-US', 'cmn-Hans-CN', 'yue-Hant-HK', 'pa-guru-IN', 'arb']) {
      expect(parseAttribute(ELEMENTS.Say.attributes.language, lang).ok).toBe(true);
    }
    expect(parseAttribute(ELEMENTS.Say.attributes.language, 'en_US').ok).toBe(false);
  });

  it('callerId: anything without whitespace, but whatsapp: must be E.164', () => {
    const spec = ELEMENTS.Dial.attributes.callerId;
    for (const ok of [
      '+14155552671',
      '415-555-2671',
      'client:joey',
      'alice.smith_1',
      'whatsapp:+558551234567',
    ]) {
      expect(parseAttribute(spec, ok).ok).toBe(true);
    }
    for (const bad of ['two words', 'whatsapp:+1', 'whatsapp:14155552671'])
      expect(parseAttribute(spec, bad).ok).toBe(false);
  });
});

describe('phone numbers', () => {
  it('E.164 per libphonenumber-js', () => {
    expect(isE164('+555551234567')).toBe(true);
    expect(isE164('+14155552671')).toBe(true);
    expect(isE164('+15558675310')).toBe(false); // 555-01xx style fictional numbers are not valid
    expect(isE164('14155552671')).toBe(false);
    expect(isE164(`+1${'4'.repeat(300)}`)).toBe(false);
    expect(isWhatsAppAddress('whatsapp:+14155552671')).toBe(true);
    expect(isWhatsAppAddress('+14155552671')).toBe(false);
  });

  it('a possible-length check for fictional test numbers, when asked', () => {
    expect(isE164('+15550100002', 'possible')).toBe(true);
    expect(isE164('+15550100002')).toBe(false);
    expect(isE164('+1555010000', 'possible')).toBe(false); // one digit short
    expect(isWhatsAppAddress('whatsapp:+15550100002', 'possible')).toBe(true);
    expect(isWhatsAppAddress('whatsapp:+15550100002', 'valid')).toBe(false);
    expect(checkText('e164', 'whatsapp:+15550100002', 'possible')).toEqual({
      ok: true,
      value: '+15550100002',
    });
    expect(checkText('e164', 'whatsapp:+15550100002').ok).toBe(false);
  });

  it('text rules', () => {
    expect(checkText('phoneNumber', '+1 (415) 555-2671')).toEqual({
      ok: true,
      value: '+1 (415) 555-2671',
    });
    expect(checkText('phoneNumber', '---').ok).toBe(false);
    expect(checkText('e164', 'whatsapp:+14155552671')).toEqual({ ok: true, value: '+14155552671' });
    expect(checkText('sipUri', 'SIP:a@b')).toEqual({ ok: true, value: 'SIP:a@b' });
    expect(checkText('json', '{"a":')).toEqual({ ok: false, reason: 'is not valid JSON' });
  });
});

describe('source helpers', () => {
  it('counts UTF-8 bytes', () => {
    expect(utf8Length('abc')).toBe(3);
    expect(utf8Length('é')).toBe(2);
    expect(utf8Length('€')).toBe(3);
    expect(utf8Length('😀')).toBe(4);
    expect(utf8Length('\uD800')).toBe(3);
    expect(utf8Length('😀é')).toBe(Buffer.byteLength('😀é'));
  });

  it('maps indexes to 1-based lines and columns', () => {
    const map = new SourceMap('ab\ncd\r\nef\rgh');
    expect(map.position(0)).toEqual({ line: 1, column: 1 });
    expect(map.position(4)).toEqual({ line: 2, column: 2 });
    expect(map.position(7)).toEqual({ line: 3, column: 1 });
    expect(map.position(10)).toEqual({ line: 4, column: 1 });
    expect(map.position(999)).toEqual({ line: 4, column: 3 });
  });
});

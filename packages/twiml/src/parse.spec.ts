import type { GatherVerb, RecordVerb, SayVerb, TwimlDocument, Verb } from './ast';
import { DOCUMENT_PARSE_FAILURE, MAX_WARNINGS, SCHEMA_VALIDATION_ERROR } from './errors';
import { findBareAmpersand, parseTwiml } from './parse';
import { ssmlPlainText } from './ssml';
import { anything } from './testing/matchers';

function parsed(xml: string): TwimlDocument {
  const result = parseTwiml(xml);
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.document;
}

function verb<K extends Verb['kind']>(xml: string, kind: K): Extract<Verb, { kind: K }> {
  const found = parsed(`<Response>${xml}</Response>`).verbs.find((v) => v.kind === kind);
  if (found === undefined) throw new Error(`no ${kind}`);
  return found as Extract<Verb, { kind: K }>;
}

function error(xml: string, context?: 'call' | 'whisper') {
  const result = parseTwiml(xml, { context });
  if (result.ok) throw new Error('expected an error');
  return result.error;
}

describe("Twilio's documented defaults", () => {
  it('<Say>: voice man, language en-US, loop 1', () => {
    expect(verb('<Say>Hi</Say>', 'Say').attributes).toEqual({
      voice: 'man',
      language: 'en-US',
      loop: 1,
    });
  });

  it('<Play>: loop 1', () => {
    expect(verb('<Play>/a.mp3</Play>', 'Play')).toEqual({
      kind: 'Play',
      attributes: { loop: 1 },
      url: '/a.mp3',
    });
  });

  it('<Pause>: length 1', () => {
    expect(verb('<Pause/>', 'Pause')).toEqual({ kind: 'Pause', attributes: { length: 1 } });
  });

  it('<Gather>: dtmf, timeout 5, finishOnKey #, POST, and the speech defaults', () => {
    const expected: GatherVerb = {
      kind: 'Gather',
      attributes: {
        method: 'POST',
        input: ['dtmf'],
        timeout: 5,
        finishOnKey: '#',
        maxSpeechTime: 60,
        speechModel: 'default',
        enhanced: false,
        profanityFilter: true,
        language: 'en-US',
        partialResultCallbackMethod: 'POST',
        actionOnEmptyResult: false,
        bargeIn: true,
        debug: false,
      },
      children: [],
    };
    expect(verb('<Gather/>', 'Gather')).toEqual(expected);
  });

  it('<Record>: timeout 5, maxLength 3600, playBeep, trim-silence, finishOnKey any key', () => {
    const expected: RecordVerb = {
      kind: 'Record',
      attributes: {
        method: 'POST',
        timeout: 5,
        finishOnKey: '1234567890*#',
        maxLength: 3600,
        playBeep: true,
        trim: 'trim-silence',
        recordingStatusCallbackMethod: 'POST',
        recordingStatusCallbackEvent: ['completed'],
        storageUrlMethod: 'POST',
        transcribe: false,
      },
    };
    expect(verb('<Record/>', 'Record')).toEqual(expected);
  });

  it('<Reject>: reason rejected; <Redirect>: POST', () => {
    expect(verb('<Reject/>', 'Reject')).toEqual({
      kind: 'Reject',
      attributes: { reason: 'rejected' },
      parameters: [],
    });
    expect(verb('<Redirect>/next</Redirect>', 'Redirect')).toEqual({
      kind: 'Redirect',
      attributes: { method: 'POST' },
      url: '/next',
    });
  });

  it('<Enqueue>: POST for action and waitUrl', () => {
    expect(verb('<Enqueue>support</Enqueue>', 'Enqueue')).toEqual({
      kind: 'Enqueue',
      attributes: { method: 'POST', waitUrlMethod: 'POST', maxQueueSize: 100 },
      name: 'support',
    });
  });

  it('<Connect><Stream>: inbound_track', () => {
    const connect = verb('<Connect><Stream url="wss://x.example/s"/></Connect>', 'Connect');
    expect(connect).toEqual({
      kind: 'Connect',
      attributes: { method: 'POST' },
      noun: {
        kind: 'Stream',
        attributes: {
          url: 'wss://x.example/s',
          track: 'inbound_track',
          statusCallbackMethod: 'POST',
        },
        parameters: [],
      },
    });
  });

  it('verbs without attributes have an empty attributes object', () => {
    expect(verb('<Hangup/>', 'Hangup')).toEqual({ kind: 'Hangup', attributes: {}, parameters: [] });
    expect(verb('<Leave/>', 'Leave')).toEqual({ kind: 'Leave', attributes: {} });
    expect(verb('<Echo/>', 'Echo')).toEqual({ kind: 'Echo', attributes: {} });
  });
});

describe('attribute values', () => {
  it('converts numbers, booleans, enums, sets and methods', () => {
    const gather = verb(
      '<Gather timeout=" 12 " numDigits="+4" input="speech dtmf speech" method="get" bargeIn="FALSE" speechTimeout="3"/>',
      'Gather',
    );
    expect(gather.attributes).toMatchObject({
      timeout: 12,
      numDigits: 4,
      input: ['dtmf', 'speech'],
      method: 'GET',
      bargeIn: false,
      speechTimeout: 3,
    });
    expect(verb('<Gather speechTimeout="auto"/>', 'Gather').attributes.speechTimeout).toBe('auto');
  });

  it('keeps URLs exactly as written, relative or absolute, for later resolution', () => {
    const dial = verb(
      '<Dial action=" ../status?a=1&amp;b=%20x " recordingStatusCallback="www.myexample.com" referUrl="">+14155552671</Dial>',
      'Dial',
    );
    expect(dial.attributes.action).toBe(' ../status?a=1&b=%20x ');
    expect(dial.attributes.recordingStatusCallback).toBe('www.myexample.com');
    expect(dial.attributes.referUrl).toBe('');
  });

  it('treats an empty value as absent, with a warning', () => {
    const result = parseTwiml('<Response><Gather timeout="" input=""/></Response>');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const gather = result.document.verbs[0] as GatherVerb;
    expect(gather.attributes.timeout).toBe(5);
    expect(gather.attributes.input).toEqual(['dtmf']);
    expect(result.warnings.map((w) => w.message)).toEqual([
      '<Gather> attribute timeout is empty (ignored)',
      '<Gather> attribute input is empty (ignored)',
    ]);
  });

  it('keeps an empty finishOnKey, which disables the key', () => {
    expect(verb('<Gather finishOnKey=""/>', 'Gather').attributes.finishOnKey).toBe('');
  });

  it('warns about unknown attributes, as Twilio does, and ignores xmlns', () => {
    const result = parseTwiml(
      '<Response xmlns="http://www.twilio.com/twiml">\n  <Say  rate="fast">Hi</Say>\n</Response>',
    );
    expect(result).toEqual({
      ok: true,
      document: anything<TwimlDocument>(),
      warnings: [
        {
          code: SCHEMA_VALIDATION_ERROR,
          message: "<Say> has unknown attribute 'rate' (ignored)",
          line: 2,
          column: 3,
        },
      ],
    });
    const say = result.ok ? (result.document.verbs[0] as SayVerb) : undefined;
    expect(say?.attributes).not.toHaveProperty('rate');
  });

  it('never finds attributes or children on Object.prototype', () => {
    const result = parseTwiml(
      '<Response><Say constructor="x" __proto__="y" toString="z">Hi</Say></Response>',
    );
    expect(result.ok && result.warnings.length).toBe(3);
    expect(error('<Response><toString/></Response>')).toMatchObject({
      code: SCHEMA_VALIDATION_ERROR,
    });
    expect(error('<Response><Dial><hasOwnProperty/></Dial></Response>')).toMatchObject({
      code: SCHEMA_VALIDATION_ERROR,
    });
  });

  it('caps the number of warnings', () => {
    const attrs = Array.from({ length: 300 }, (_, i) => `a${i}="1"`).join(' ');
    const result = parseTwiml(`<Response><Say ${attrs}>Hi</Say></Response>`);
    expect(result.ok && result.warnings.length).toBe(MAX_WARNINGS);
  });

  it('reports a bad value with the element position and the attribute', () => {
    expect(error('<Response>\n  <Pause\n    length="soon"/>\n</Response>')).toEqual({
      code: SCHEMA_VALIDATION_ERROR,
      message: '<Pause> attribute length="soon" must be a whole number',
      line: 2,
      column: 3,
    });
  });

  it('reports a missing required attribute', () => {
    expect(error('<Response><Connect><ConversationRelay/></Connect></Response>')).toMatchObject({
      code: SCHEMA_VALIDATION_ERROR,
      message: '<ConversationRelay> requires the url attribute',
      column: 20,
    });
  });
});

describe('<Dial> nouns', () => {
  it('parses a plain-text number as a <Number> noun with defaults', () => {
    const plain = verb('<Dial>\n  +1 (415) 555-2671\n</Dial>', 'Dial');
    const noun = verb('<Dial><Number>+1 (415) 555-2671</Number></Dial>', 'Dial');
    expect(plain).toEqual(noun);
    expect(plain.nouns[0]).toMatchObject({ kind: 'Number', phoneNumber: '+1 (415) 555-2671' });
  });

  it('dials several nouns at once, in order, up to ten', () => {
    const dial = verb(
      '<Dial sequential="true"><Number>+14155552671</Number><Client>alice</Client><Sip>sip:bob@example.com</Sip><WhatsApp>+16175551212</WhatsApp></Dial>',
      'Dial',
    );
    expect(dial.attributes.sequential).toBe(true);
    expect(dial.nouns.map((n) => n.kind)).toEqual(['Number', 'Client', 'Sip', 'WhatsApp']);
  });

  it('reads <Client> identity from text or from <Identity>, with <Parameter>s', () => {
    const text = verb('<Dial><Client>alice</Client></Dial>', 'Dial').nouns[0];
    const element = verb(
      '<Dial><Client>\n  <Identity> alice </Identity>\n  <Parameter name="a" value="1"/>\n</Client></Dial>',
      'Dial',
    ).nouns[0];
    expect(text).toMatchObject({ kind: 'Client', identity: 'alice', parameters: [] });
    expect(element).toMatchObject({
      kind: 'Client',
      identity: 'alice',
      parameters: [{ kind: 'Parameter', attributes: { name: 'a', value: '1' } }],
    });
    expect(error('<Response><Dial><Client/></Dial></Response>').message).toBe(
      '<Client> requires text or an <Identity> child',
    );
  });

  it('reads <Application> SID from text or from <ApplicationSid>', () => {
    const app = verb(
      '<Dial><Application><ApplicationSid>AP123</ApplicationSid></Application></Dial>',
      'Dial',
    ).nouns[0];
    expect(app).toMatchObject({ kind: 'Application', applicationSid: 'AP123', parameters: [] });
  });

  it('reads <Sip> URIs, credentials and headers', () => {
    const sip = verb(
      '<Dial><Sip username="u" password="p">sips:alice@example.com;transport=tls<Headers><Header name="X-A" value="1"/></Headers></Sip></Dial>',
      'Dial',
    ).nouns[0];
    expect(sip).toMatchObject({
      kind: 'Sip',
      attributes: { username: 'u', password: 'p' },
      uri: 'sips:alice@example.com;transport=tls',
      uris: [],
      headers: {
        kind: 'Headers',
        headers: [{ kind: 'Header', attributes: { name: 'X-A', value: '1' } }],
      },
    });
    expect(
      error('<Response><Dial><Sip>sip:a@b<Uri>sip:c@d</Uri></Sip></Dial></Response>').message,
    ).toContain('both');
  });

  it('makes <Conference> and <Queue> the only noun of their <Dial>', () => {
    expect(
      error('<Response><Dial><Number>+14155552671</Number><Queue>q</Queue></Dial></Response>')
        .message,
    ).toBe('<Queue> must be the only noun in its <Dial>');
  });

  it('rejects text mixed with nouns, and text that is not a number', () => {
    expect(
      error('<Response><Dial><Number>+14155552671</Number>+16175551212</Dial></Response>').code,
    ).toBe(DOCUMENT_PARSE_FAILURE);
    expect(error('<Response><Dial>whatsapp:+16175551212</Dial></Response>')).toMatchObject({
      code: SCHEMA_VALIDATION_ERROR,
      message:
        "<Dial> 'whatsapp:+16175551212' is not a phone number: dial WhatsApp users with <WhatsApp>",
    });
  });
});

describe('<Say> and SSML', () => {
  it('keeps SSML as structured nodes, text and whitespace in order', () => {
    const say = verb(
      '<Say voice="Polly.Joanna">Hello <break time="500ms"/><emphasis level="strong">dear</emphasis> <say-as interpret-as="digits">42</say-as>!</Say>',
      'Say',
    );
    expect(say.content).toEqual([
      { kind: 'text', value: 'Hello ' },
      { kind: 'break', attributes: { time: '500ms' } },
      {
        kind: 'emphasis',
        attributes: { level: 'strong' },
        content: [{ kind: 'text', value: 'dear' }],
      },
      { kind: 'text', value: ' ' },
      { kind: 'say-as', attributes: { 'interpret-as': 'digits' }, text: '42' },
      { kind: 'text', value: '!' },
    ]);
    expect(ssmlPlainText(say.content)).toBe('Hello dear 42!');
  });

  it('decodes entities and CDATA and merges text split by comments', () => {
    const say = verb('<Say>a &amp; b<!-- c --> &lt;d&gt; <![CDATA[<e> & f]]></Say>', 'Say');
    expect(say.content).toEqual([{ kind: 'text', value: 'a & b <d> <e> & f' }]);
  });

  it('keeps nested SSML with its own attributes', () => {
    const say = verb(
      '<Say><p><s>One <sub alias="two">2</sub></s></p><lang xml:lang="fr-FR"><prosody rate="slow">trois</prosody></lang></Say>',
      'Say',
    );
    expect(say.content).toEqual([
      {
        kind: 'p',
        attributes: {},
        content: [
          {
            kind: 's',
            attributes: {},
            content: [
              { kind: 'text', value: 'One ' },
              { kind: 'sub', attributes: { alias: 'two' }, text: '2' },
            ],
          },
        ],
      },
      {
        kind: 'lang',
        attributes: { 'xml:lang': 'fr-FR' },
        content: [
          {
            kind: 'prosody',
            attributes: { rate: 'slow' },
            content: [{ kind: 'text', value: 'trois' }],
          },
        ],
      },
    ]);
    expect(ssmlPlainText(say.content)).toBe('One two trois');
  });

  it('rejects SSML in the wrong place and unknown SSML', () => {
    expect(error('<Response><Say><w><p>x</p></w></Say></Response>').message).toBe(
      '<p> is not allowed in <w>',
    );
    expect(error('<Response><Say><audio src="x"/></Say></Response>').message).toBe(
      '<audio> is not a TwiML SSML element (in <Say>)',
    );
    expect(error('<Response><Say><Play>x</Play></Say></Response>').code).toBe(
      SCHEMA_VALIDATION_ERROR,
    );
  });
});

describe('other verbs', () => {
  it('<Gather> nests only <Say>, <Play> and <Pause>', () => {
    const gather = verb('<Gather><Say>a</Say><Play>/b.mp3</Play><Pause/></Gather>', 'Gather');
    expect(gather.children.map((c) => c.kind)).toEqual(['Say', 'Play', 'Pause']);
    for (const child of ['<Record/>', '<Hangup/>', '<Gather/>', '<Redirect>/x</Redirect>']) {
      expect(error(`<Response><Gather>${child}</Gather></Response>`)).toMatchObject({
        code: SCHEMA_VALIDATION_ERROR,
        column: 19,
      });
    }
  });

  it('<Play> takes digits without a URL', () => {
    expect(verb('<Play digits="wwww1928"/>', 'Play')).toEqual({
      kind: 'Play',
      attributes: { loop: 1, digits: 'wwww1928' },
    });
  });

  it('<Enqueue> with a TaskRouter <Task>', () => {
    const enqueue = verb(
      '<Enqueue workflowSid="WW1"><Task priority="3">{"lang":"es"}</Task></Enqueue>',
      'Enqueue',
    );
    expect(enqueue).toEqual({
      kind: 'Enqueue',
      attributes: { method: 'POST', waitUrlMethod: 'POST', maxQueueSize: 100, workflowSid: 'WW1' },
      task: { kind: 'Task', attributes: { priority: 3 }, body: '{"lang":"es"}' },
    });
    expect(
      error(
        '<Response><Enqueue workflowSid="W"><Task>{}</Task><Task>{}</Task></Enqueue></Response>',
      ).message,
    ).toBe('<Enqueue> accepts only one <Task>');
  });

  it('<Start>, <Stop> and <Refer>', () => {
    const start = verb('<Start><Stream url="wss://a"/><Recording/></Start>', 'Start');
    expect(start.nouns.map((n) => n.kind)).toEqual(['Stream', 'Recording']);
    expect(verb('<Stop><Stream name="a"/></Stop>', 'Stop').nouns).toEqual([
      {
        kind: 'Stream',
        attributes: { name: 'a', track: 'inbound_track', statusCallbackMethod: 'POST' },
        parameters: [],
      },
    ]);
    expect(verb('<Refer><Sip>sip:a@b</Sip></Refer>', 'Refer').sip).toEqual({
      kind: 'ReferSip',
      attributes: {},
      uri: 'sip:a@b',
    });
    expect(error('<Response><Start><Stream/></Start></Response>').message).toBe(
      '<Stream> in <Start> requires a url attribute',
    );
  });

  it('<Pay> with <Prompt>s', () => {
    const pay = verb(
      '<Pay><Prompt for="security-code" attempt="2 1 2"><Say>Again</Say></Prompt></Pay>',
      'Pay',
    );
    expect(pay.prompts[0]).toMatchObject({
      attributes: { for: 'security-code', attempt: [1, 2], requireMatchingInputs: false },
    });
    expect(pay.attributes.validCardTypes).toEqual(['visa', 'mastercard', 'amex']);
  });
});

describe('well-formedness (12100)', () => {
  it.each([
    ['not XML', 'hello'],
    ['JSON', '{"a":1}'],
    ['empty', ''],
    ['only a declaration', '<?xml version="1.0"?>'],
    ['unclosed', '<Response><Say>hi</Response>'],
    ['two roots', '<Response/><Response/>'],
    ['bad root', '<Reponse/>'],
    ['text in <Response>', '<Response>hi</Response>'],
    ['text in <Pause>', '<Response><Pause>1</Pause></Response>'],
    ['text in <Dial> with nouns', '<Response><Dial>1<Client>a</Client></Dial></Response>'],
    ['a DOCTYPE', '<!DOCTYPE Response><Response/>'],
    ['a bare ampersand', '<Response><Play>/a?b=1&c=2</Play></Response>'],
    ['an undefined entity', '<Response><Say>&nbsp;</Say></Response>'],
    ['a forbidden character reference', '<Response><Say>&#0;</Say></Response>'],
  ])('rejects %s', (_, xml) => {
    expect(error(xml).code).toBe(DOCUMENT_PARSE_FAILURE);
  });

  it('points at the first non-blank character of stray text', () => {
    expect(error('<Response>\n\n   stray\n</Response>')).toEqual({
      code: DOCUMENT_PARSE_FAILURE,
      message: "<Response> cannot contain text ('stray')",
      line: 3,
      column: 4,
    });
  });

  it('counts lines after \\r\\n and a lone \\r', () => {
    expect(error('<Response>\r\n<Pause/>\r<Nope/></Response>')).toMatchObject({
      line: 3,
      column: 1,
    });
  });

  it('never throws, even when not given a string', () => {
    expect(parseTwiml(undefined as unknown as string)).toMatchObject({
      ok: false,
      error: { code: DOCUMENT_PARSE_FAILURE },
    });
    expect(parseTwiml({} as unknown as string)).toMatchObject({
      ok: false,
      error: { code: DOCUMENT_PARSE_FAILURE },
    });
  });
});

describe('warnings', () => {
  it('warns once about verbs after <Hangup>, <Reject>, <Redirect> or <Dial action>', () => {
    const result = parseTwiml('<Response><Hangup/><Say>a</Say><Say>b</Say></Response>');
    expect(result.ok && result.warnings).toEqual([
      {
        code: SCHEMA_VALIDATION_ERROR,
        message: '<Say> is never reached: the document ends at <Hangup>',
        line: 1,
        column: 20,
      },
    ]);
    const dial = parseTwiml('<Response><Dial action="">+14155552671</Dial><Say>a</Say></Response>');
    expect(dial.ok && dial.warnings).toEqual([]);
  });
});

describe('the AST', () => {
  it('is deeply frozen', () => {
    const doc = parsed(
      '<Response><Dial timeout="10"><Number>+14155552671</Number></Dial><Say>Hi <break/></Say></Response>',
    );
    expect(Object.isFrozen(doc)).toBe(true);
    expect(Object.isFrozen(doc.verbs)).toBe(true);
    const [dial, say] = doc.verbs;
    expect(Object.isFrozen(dial)).toBe(true);
    expect(Object.isFrozen(dial?.attributes)).toBe(true);
    if (dial?.kind === 'Dial') {
      expect(Object.isFrozen(dial.nouns)).toBe(true);
      expect(Object.isFrozen(dial.nouns[0]?.attributes)).toBe(true);
      expect(Object.isFrozen(dial.attributes.recordingStatusCallbackEvent)).toBe(true);
    }
    if (say?.kind === 'Say') {
      expect(Object.isFrozen(say.content)).toBe(true);
      expect(Object.isFrozen(say.content[0])).toBe(true);
    }
  });
});

describe('findBareAmpersand', () => {
  it('skips references, comments, CDATA and processing instructions', () => {
    expect(
      findBareAmpersand('<a>&amp;&lt;&#38;&#x26;<!-- & --><![CDATA[&]]><?pi & ?></a>', 1000),
    ).toBe(-1);
    expect(findBareAmpersand('<a>x & y</a>', 1000)).toBe(5);
    expect(findBareAmpersand('<a>x & y</a>', 3)).toBe(-1);
  });
});

describe('positions of stray text', () => {
  it('skip comments and processing instructions before the text', () => {
    expect(error('<Response><Say>a</Say><!-- note -->\n  <?pi x?> oops</Response>')).toMatchObject({
      line: 2,
      column: 12,
    });
    expect(error('<Response><![CDATA[x]]></Response>')).toMatchObject({
      code: DOCUMENT_PARSE_FAILURE,
      line: 1,
      column: 11,
    });
  });
});

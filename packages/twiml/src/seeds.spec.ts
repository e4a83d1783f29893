/**
 * Every TwiML example of the seed documents, with the AST it must give, written out in
 * full so that Twilio's documented defaults are pinned here and not only in the schema.
 * The JavaScript examples of seed 003 are run through Twilio's builder and must print the
 * XML the seed shows.
 */
import VoiceResponse from 'twilio/lib/twiml/VoiceResponse';
import type {
  DialAttributes,
  NumberAttributes,
  SayAttributes,
  TwimlDocument,
  WhatsAppAttributes,
} from './ast';
import { RESPONSE_BODY_TOO_LARGE } from './errors';
import { parseTwiml } from './parse';
import { serializeTwiml } from './serialize';
import { containing, objectContaining } from './testing/matchers';

/** `<Dial>` as Twilio documents its defaults (seed 003's attribute table). */
const DIAL_DEFAULTS: DialAttributes = {
  method: 'POST',
  answerOnBridge: false,
  hangupOnStar: false,
  record: 'do-not-record',
  recordingStatusCallbackMethod: 'POST',
  recordingStatusCallbackEvent: ['completed'],
  recordingTrack: 'both',
  referMethod: 'POST',
  sequential: false,
  timeLimit: 14400,
  timeout: 30,
  trim: 'do-not-trim',
};

const NUMBER_DEFAULTS: NumberAttributes = {
  method: 'POST',
  statusCallbackMethod: 'POST',
  statusCallbackEvent: ['completed'],
  machineDetectionTimeout: 30,
  machineDetectionSpeechThreshold: 2400,
  machineDetectionSpeechEndThreshold: 1200,
  machineDetectionSilenceTimeout: 5000,
  amdStatusCallbackMethod: 'POST',
};

/** Seed 000's attribute table for `<WhatsApp>`. */
const WHATSAPP_DEFAULTS: WhatsAppAttributes = {
  method: 'POST',
  statusCallbackMethod: 'POST',
  statusCallbackEvent: ['completed'],
};

const SAY_DEFAULTS: SayAttributes = { voice: 'man', language: 'en-US', loop: 1 };

const DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';

function number(phoneNumber: string) {
  return { kind: 'Number', attributes: NUMBER_DEFAULTS, phoneNumber } as const;
}

function say(text: string) {
  return {
    kind: 'Say',
    attributes: SAY_DEFAULTS,
    content: [{ kind: 'text', value: text }],
  } as const;
}

function doc(...verbs: TwimlDocument['verbs']): TwimlDocument {
  return { kind: 'Response', attributes: {}, verbs };
}

function parsed(xml: string, context?: 'call' | 'whisper'): TwimlDocument {
  const result = parseTwiml(xml, { context });
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.document;
}

/** What Twilio's builder prints, without the XML declaration. */
function printed(response: VoiceResponse): string {
  return response.toString().replace(/^<\?xml[^>]*\?>/, '');
}

/** The seed's XML without the line breaks its web page put between tags. */
function compact(xml: string): string {
  return xml
    .replace(/^<\?xml[^>]*\?>/, '')
    .replace(/<!--.*?-->/g, '')
    .replace(/>\s+</g, '><')
    .replace(/\s+/g, ' ')
    .replace(/" (\w+=)/g, '" $1')
    .trim();
}

describe('seed 003: <Dial>', () => {
  it('dials a plain-text number', () => {
    const xml = `${DECL}<Response>\n<Dial>415-123-4567</Dial>\n</Response>`;
    expect(parsed(xml)).toEqual(
      doc({ kind: 'Dial', attributes: DIAL_DEFAULTS, nouns: [number('415-123-4567')] }),
    );
  });

  it('continues with <Say> after the <Dial> (builder example)', () => {
    const response = new VoiceResponse();
    response.dial('415-123-4567');
    response.say('Goodbye');
    const seed = `${DECL}<Response>\n<Dial>415-123-4567</Dial>\n<Say>Goodbye</Say>\n</Response>`;
    expect(printed(response)).toBe(compact(seed));
    const expected = doc(
      { kind: 'Dial', attributes: DIAL_DEFAULTS, nouns: [number('415-123-4567')] },
      say('Goodbye'),
    );
    expect(parsed(seed)).toEqual(expected);
    expect(parsed(response.toString())).toEqual(expected);
  });

  it('reads timeout and the record="true" alias', () => {
    const xml = `${DECL}<Response>\n<Dial timeout="10" record="true">415-123-4567</Dial>\n</Response>`;
    expect(parsed(xml)).toEqual(
      doc({
        kind: 'Dial',
        attributes: { ...DIAL_DEFAULTS, timeout: 10, record: 'record-from-answer' },
        nouns: [number('415-123-4567')],
      }),
    );
  });

  it('record="false" is do-not-record', () => {
    const dial = parsed('<Response><Dial record="false">+14155552671</Dial></Response>').verbs[0];
    expect(dial?.kind === 'Dial' && dial.attributes.record).toBe('do-not-record');
  });

  it('sets a callerId with a <Number> noun (builder example)', () => {
    const response = new VoiceResponse();
    response.dial({ callerId: '+15551112222' }).number('+15558675310');
    const seed = `${DECL}<Response>\n<Dial callerId="+15551112222">\n<Number>+15558675310</Number>\n</Dial>\n</Response>`;
    expect(printed(response)).toBe(compact(seed));
    const expected = doc({
      kind: 'Dial',
      attributes: { ...DIAL_DEFAULTS, callerId: '+15551112222' },
      nouns: [number('+15558675310')],
    });
    expect(parsed(seed)).toEqual(expected);
    expect(parsed(response.toString())).toEqual(expected);
  });

  it('reads action and method, with the page comment and a multi-line number (builder example)', () => {
    const response = new VoiceResponse();
    response.dial({ action: '/handleDialCallStatus', method: 'GET' }, '415-123-4567');
    response.say('I am unreachable');
    const seed =
      `${DECL}<!-- page located at http://example.com/dial_callstatus.xml -->\n<Response>\n` +
      '<Dial action="/handleDialCallStatus" method="GET">\n415-123-4567\n</Dial>\n<Say>I am unreachable</Say>\n</Response>';
    expect(printed(response)).toBe(compact(seed).replace('> 415-123-4567 <', '>415-123-4567<'));
    const expected = doc(
      {
        kind: 'Dial',
        attributes: { ...DIAL_DEFAULTS, action: '/handleDialCallStatus', method: 'GET' },
        nouns: [number('415-123-4567')],
      },
      say('I am unreachable'),
    );
    const result = parseTwiml(seed);
    expect(result.ok && result.document).toEqual(expected);
    // As the seed says, the <Say> after a <Dial action> is unreachable: Twilio would not run it.
    expect(result.ok && result.warnings).toEqual([
      objectContaining({ code: 12200, line: 7, column: 1, message: containing('never reached') }),
    ]);
    expect(parsed(response.toString())).toEqual(expected);
  });

  it('records dual channel from ringing to a relative status callback (builder example)', () => {
    const response = new VoiceResponse();
    response
      .dial({ record: 'record-from-ringing-dual', recordingStatusCallback: 'www.myexample.com' })
      .number('+15558675310');
    const seed =
      `${DECL}<Response>\n<Dial record="record-from-ringing-dual"\nrecordingStatusCallback="www.myexample.com">\n` +
      '<Number>+15558675310</Number>\n</Dial>\n</Response>';
    expect(printed(response)).toBe(compact(seed));
    const expected = doc({
      kind: 'Dial',
      attributes: {
        ...DIAL_DEFAULTS,
        record: 'record-from-ringing-dual',
        recordingStatusCallback: 'www.myexample.com',
      },
      nouns: [number('+15558675310')],
    });
    expect(parsed(seed)).toEqual(expected);
    expect(parsed(response.toString())).toEqual(expected);
  });

  it('dials a <Sip> URI with a referUrl (builder example); the page prints a bare & that is not XML', () => {
    const uri =
      'sip:AgentA@xyz.sip.us1.twilio.com?User-to-User=123456789%3Bencoding%3Dhex&X-Name=Agent%2C+A';
    const response = new VoiceResponse();
    response.dial({ referUrl: 'https://example.com/handler' }).sip(uri);
    const seedAsPrinted = `<Response>\n<Dial referUrl="https://example.com/handler">\n<Sip>${uri}</Sip>\n</Dial>\n</Response>`;
    expect(printed(response)).toBe(compact(seedAsPrinted).replace('&', '&amp;'));
    const expected = doc({
      kind: 'Dial',
      attributes: { ...DIAL_DEFAULTS, referUrl: 'https://example.com/handler' },
      nouns: [
        {
          kind: 'Sip',
          attributes: {
            method: 'POST',
            statusCallbackMethod: 'POST',
            statusCallbackEvent: ['completed'],
            machineDetectionTimeout: 30,
            machineDetectionSpeechThreshold: 2400,
            machineDetectionSpeechEndThreshold: 1200,
            machineDetectionSilenceTimeout: 5000,
            amdStatusCallbackMethod: 'POST',
          },
          uri,
          uris: [],
        },
      ],
    });
    expect(parsed(response.toString())).toEqual(expected);
    expect(parseTwiml(seedAsPrinted)).toEqual({
      ok: false,
      error: { code: 12100, message: "a bare '&' must be escaped as &amp;", line: 3, column: 79 },
    });
  });

  it('nests a <Number> noun (builder example)', () => {
    const response = new VoiceResponse();
    response.dial().number('415-123-4567');
    const seed = `${DECL}<Response>\n<Dial>\n<Number>415-123-4567</Number>\n</Dial>\n</Response>`;
    expect(printed(response)).toBe(compact(seed));
    const expected = doc({
      kind: 'Dial',
      attributes: DIAL_DEFAULTS,
      nouns: [number('415-123-4567')],
    });
    expect(parsed(seed)).toEqual(expected);
    // "Functionally, the example above behaves exactly like our basic example": the same AST.
    expect(parsed('<Response><Dial>415-123-4567</Dial></Response>')).toEqual(expected);
  });

  it('records a <Conference> (builder example)', () => {
    const response = new VoiceResponse();
    response
      .dial({ record: 'record-from-ringing-dual', recordingStatusCallback: 'www.myexample.com' })
      .conference('myteamroom');
    const seed =
      `${DECL}<Response>\n<Dial record="record-from-ringing-dual"\nrecordingStatusCallback="www.myexample.com">\n` +
      '<Conference>myteamroom</Conference>\n</Dial>\n</Response>';
    expect(printed(response)).toBe(compact(seed));
    const expected = doc({
      kind: 'Dial',
      attributes: {
        ...DIAL_DEFAULTS,
        record: 'record-from-ringing-dual',
        recordingStatusCallback: 'www.myexample.com',
      },
      nouns: [
        {
          kind: 'Conference',
          attributes: {
            muted: false,
            beep: 'true',
            startConferenceOnEnter: true,
            endConferenceOnExit: false,
            waitMethod: 'POST',
            maxParticipants: 250,
            record: 'do-not-record',
            trim: 'trim-silence',
            statusCallbackMethod: 'POST',
            recordingStatusCallbackMethod: 'POST',
            recordingStatusCallbackEvent: ['completed'],
            jitterBufferSize: 'large',
          },
          name: 'myteamroom',
        },
      ],
    });
    expect(parsed(seed)).toEqual(expected);
    expect(parsed(response.toString())).toEqual(expected);
  });

  it('accepts timeout from 5 to 600 and nothing outside', () => {
    const dial = (t: string) =>
      parseTwiml(`<Response><Dial timeout="${t}">+14155552671</Dial></Response>`);
    expect(dial('5').ok).toBe(true);
    expect(dial('600').ok).toBe(true);
    expect(dial('4')).toMatchObject({ ok: false, error: { code: 12200 } });
    expect(dial('601')).toMatchObject({ ok: false, error: { code: 12200 } });
  });

  it('limits callReason to 50 characters', () => {
    const dial = (r: string) =>
      parseTwiml(`<Response><Dial callReason="${r}">+14155552671</Dial></Response>`);
    expect(dial('x'.repeat(50)).ok).toBe(true);
    expect(dial('x'.repeat(51))).toMatchObject({ ok: false, error: { code: 12200 } });
  });

  it('accepts every ringTone the seed lists', () => {
    const tones =
      'at au bg br be ch cl cn cz de dk ee es fi fr gr hu il in it lt jp mx my nl no nz ph pl pt ru se sg th uk us us-old tw ve za';
    for (const tone of tones.split(' ')) {
      expect(
        parseTwiml(`<Response><Dial ringTone="${tone}">+14155552671</Dial></Response>`).ok,
      ).toBe(true);
    }
    expect(parseTwiml('<Response><Dial ringTone="gb">+14155552671</Dial></Response>').ok).toBe(
      false,
    );
  });

  it('accepts each recordingStatusCallbackEvent as a space-separated set', () => {
    const dial = parsed(
      '<Response><Dial recordingStatusCallbackEvent="absent completed in-progress">+14155552671</Dial></Response>',
    ).verbs[0];
    expect(dial?.kind === 'Dial' && dial.attributes.recordingStatusCallbackEvent).toEqual([
      'in-progress',
      'completed',
      'absent',
    ]);
  });
});

describe('seed 000 / 001: <WhatsApp>', () => {
  const seed = `${DECL}<Response>\n<Dial callerId="whatsapp:+558551234567">\n<WhatsApp>+555551234567</WhatsApp>\n</Dial>\n</Response>`;
  const expected = doc({
    kind: 'Dial',
    attributes: { ...DIAL_DEFAULTS, callerId: 'whatsapp:+558551234567' },
    nouns: [{ kind: 'WhatsApp', attributes: WHATSAPP_DEFAULTS, phoneNumber: '+555551234567' }],
  });

  it('dials a WhatsApp user from a WhatsApp sender', () => {
    expect(parseTwiml(seed)).toEqual({ ok: true, document: expected, warnings: [] });
  });

  it('is what the builder writes with dial.whatsApp()', () => {
    const response = new VoiceResponse();
    response.dial({ callerId: 'whatsapp:+558551234567' }).whatsApp('+555551234567');
    expect(printed(response)).toBe(compact(seed));
    expect(parsed(response.toString())).toEqual(expected);
  });

  it('reads every attribute of the seed table', () => {
    const response = new VoiceResponse();
    response.dial({ callerId: 'whatsapp:+558551234567' }).whatsApp(
      {
        url: '/whisper',
        method: 'GET',
        statusCallbackEvent: ['completed', 'initiated', 'answered', 'ringing'],
        statusCallback: 'https://example.com/status',
        statusCallbackMethod: 'GET',
      },
      '+555551234567',
    );
    const dial = parsed(response.toString()).verbs[0];
    expect(dial?.kind === 'Dial' && dial.nouns[0]).toEqual({
      kind: 'WhatsApp',
      attributes: {
        url: '/whisper',
        method: 'GET',
        statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
        statusCallback: 'https://example.com/status',
        statusCallbackMethod: 'GET',
      },
      phoneNumber: '+555551234567',
    });
  });

  it('requires E.164 with + and country code for the destination', () => {
    const dial = (n: string) =>
      parseTwiml(
        `<Response><Dial callerId="whatsapp:+558551234567"><WhatsApp>${n}</WhatsApp></Dial></Response>`,
      );
    expect(dial('+16175551212').ok).toBe(true);
    expect(dial('whatsapp:+16175551212')).toMatchObject({ ok: true });
    for (const bad of [
      '16175551212',
      '+1 617 555 1212',
      '+1-617-555-1212',
      '+0123456789',
      '+15555555555',
      'alice',
      '',
    ]) {
      expect(dial(bad)).toMatchObject({ ok: false, error: { code: 12200 } });
    }
  });

  it('requires callerId of the whatsapp: form to be whatsapp:+E.164', () => {
    const dial = (c: string) =>
      parseTwiml(
        `<Response><Dial callerId="${c}"><WhatsApp>+555551234567</WhatsApp></Dial></Response>`,
      );
    expect(dial('whatsapp:+558551234567').ok).toBe(true);
    expect(dial('WhatsApp:+558551234567').ok).toBe(true);
    for (const bad of [
      'whatsapp:558551234567',
      'whatsapp:+55',
      'whatsapp:',
      'whatsapp: +558551234567',
      'whatsapp:+55 85 5123 4567',
    ]) {
      expect(dial(bad)).toMatchObject({ ok: false, error: { code: 12200, line: 1, column: 11 } });
    }
  });

  it('warns when a <WhatsApp> is dialed without a WhatsApp callerId (the seed requires a sender)', () => {
    const result = parseTwiml(
      '<Response><Dial><WhatsApp>+555551234567</WhatsApp></Dial></Response>',
    );
    expect(result.ok && result.warnings).toEqual([
      objectContaining({ code: 12200, message: containing('callerId') }),
    ]);
  });

  it('runs the TwiML of <WhatsApp url> in whisper context: Play, Say, Gather, Hangup, Pause only, never Dial', () => {
    const whisper =
      '<Response><Say>Incoming call from support</Say><Gather numDigits="1" action="/accept"><Say>Press 1 to accept</Say></Gather>' +
      '<Play>/declined.mp3</Play><Pause length="1"/><Hangup/></Response>';
    expect(parseTwiml(whisper, { context: 'whisper' })).toMatchObject({ ok: true, warnings: [] });
    for (const verb of [
      '<Dial>+14155552671</Dial>',
      '<Record/>',
      '<Redirect>/x</Redirect>',
      '<Reject/>',
      '<Enqueue>q</Enqueue>',
      '<Leave/>',
    ]) {
      const xml = `<Response><Say>hi</Say>${verb}</Response>`;
      expect(parseTwiml(xml).ok).toBe(true);
      expect(parseTwiml(xml, { context: 'whisper' })).toMatchObject({
        ok: false,
        error: { code: 12200, line: 1, column: 24 },
      });
    }
    // <Dial> may not hide inside <Gather> either (it never may).
    expect(
      parseTwiml('<Response><Gather><Dial>+1</Dial></Gather></Response>', { context: 'whisper' }),
    ).toMatchObject({
      ok: false,
      error: { code: 12200 },
    });
  });
});

describe('seed 001: Flex <Enqueue>', () => {
  it('enqueues into TaskRouter with an empty action kept as written', () => {
    const seed = `${DECL}<Response>\n<Enqueue action="" method="POST" workflowSid="[TASKROUTER_WORKFLOW_SID]">call</Enqueue>\n</Response>`;
    expect(parsed(seed)).toEqual(
      doc({
        kind: 'Enqueue',
        attributes: {
          action: '',
          method: 'POST',
          waitUrlMethod: 'POST',
          maxQueueSize: 100,
          workflowSid: '[TASKROUTER_WORKFLOW_SID]',
        },
        name: 'call',
      }),
    );
  });
});

describe('documents over 64 kB', () => {
  it('are rejected with 11750 before parsing', () => {
    const pad = 'x'.repeat(64 * 1024);
    expect(parseTwiml(`<Response><Say>${pad}</Say></Response>`)).toEqual({
      ok: false,
      error: { code: RESPONSE_BODY_TOO_LARGE, message: 'the document is larger than 64 kB' },
    });
  });

  it('count UTF-8 bytes, not characters', () => {
    const frame = '<Response><Say></Say></Response>';
    const room = 64 * 1024 - frame.length;
    const fits = `<Response><Say>${'é'.repeat(room / 2)}</Say></Response>`;
    expect(parseTwiml(fits).ok).toBe(true);
    const over = `<Response><Say>${'é'.repeat(room / 2)}x</Say></Response>`;
    expect(parseTwiml(over)).toMatchObject({ ok: false, error: { code: RESPONSE_BODY_TOO_LARGE } });
  });

  it('serialize back under the limit they were parsed from', () => {
    const document = parsed(`<Response><Say>${'a'.repeat(60000)}</Say></Response>`);
    expect(serializeTwiml(document).length).toBeLessThan(64 * 1024);
  });
});

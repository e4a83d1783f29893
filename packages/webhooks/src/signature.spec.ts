import { createHmac } from 'node:crypto';
import twilio from 'twilio';
import { formBody, signedUrl, twilioSignature, type WebhookParams } from './signature';

const authToken = '12345';

/** How the official twilio package validates: the URL and the parsed form as a server sees them. */
function acceptedByTwilio(
  url: string,
  params: Record<string, string | string[]>,
  signature: string,
): boolean {
  return twilio.validateRequest(authToken, signature, url, params);
}

/** The form body parsed back the way a server's urlencoded parser does (repeats as arrays). */
function parsedForm(body: string): Record<string, string | string[]> {
  const parsed: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(body)) {
    const previous = parsed[name];
    if (previous === undefined) parsed[name] = value;
    else parsed[name] = Array.isArray(previous) ? [...previous, value] : [previous, value];
  }
  return parsed;
}

describe('twilioSignature', () => {
  it("matches Twilio's documented example", () => {
    // The example of https://www.twilio.com/docs/usage/security, also twilio-node's test vector.
    const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
    const params = {
      CallSid: 'CA1234567890ABCDE',
      Caller: '+14158675309',
      Digits: '1234',
      From: '+14158675309',
      To: '+18005551212',
    };
    expect(twilioSignature(authToken, url, params)).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=');
  });

  const postCases: [string, string, WebhookParams][] = [
    [
      'POST with params',
      'https://example.com/twiml',
      { CallSid: 'CA1', From: '+1555', To: '+1666' },
    ],
    ['POST with a query string too', 'https://example.com/twiml?step=2&x=a%20b', { Digits: '42' }],
    ['a URL with a port', 'http://127.0.0.1:8080/voice', { CallStatus: 'ringing' }],
    ['a URL with the default port', 'https://example.com:443/voice', { CallStatus: 'ringing' }],
    ['no path', 'https://example.com', { A: '1' }],
    [
      'repeated keys in body order',
      'https://example.com/r',
      [
        ['Tag', 'b'],
        ['Tag', 'a'],
        ['Tag', 'c'],
      ],
    ],
    ['repeated keys as an array', 'https://example.com/r', { Tag: ['z', 'y'], Other: 'x' }],
    [
      'repeated equal values',
      'https://example.com/r',
      [
        ['Tag', 'same'],
        ['Tag', 'same'],
      ],
    ],
    [
      'unicode names and values',
      'https://example.com/ünï?q=é',
      { SpeechResult: 'héllo wörld 😀', Ünï: 'ø' },
    ],
    ['empty params', 'https://example.com/empty', {}],
    ['empty values', 'https://example.com/v', { Digits: '', From: '+1' }],
    ['names that sort by case', 'https://example.com/v', { b: '1', B: '2', a: '3', A: '4' }],
  ];

  it.each(postCases)('POST: %s validates with twilio.validateRequest', (_name, url, params) => {
    const signature = twilioSignature(authToken, url, params);
    expect(acceptedByTwilio(url, parsedForm(formBody(params)), signature)).toBe(true);
  });

  it.each([
    'https://example.com/twiml?CallSid=CA1&From=%2B1555',
    'http://localhost:3000/voice?Digits=1&Digits=2',
    'https://example.com/ünï?SpeechResult=h%C3%A9llo+w%C3%B6rld',
    'https://example.com:8443/path/?a=&b=1',
  ])('GET %s validates with the query string only', (url) => {
    const signature = twilioSignature(authToken, url);
    expect(acceptedByTwilio(url, {}, signature)).toBe(true);
  });

  it('validates however the server writes the port (Twilio tries with and without)', () => {
    const signature = twilioSignature(authToken, 'https://example.com/voice', { A: '1' });
    expect(acceptedByTwilio('https://example.com:443/voice', { A: '1' }, signature)).toBe(true);
    const withPort = twilioSignature(authToken, 'https://example.com:443/voice', { A: '1' });
    expect(acceptedByTwilio('https://example.com/voice', { A: '1' }, withPort)).toBe(true);
  });

  it('signs without the fragment (connection overrides never reach the server)', () => {
    const url = 'https://example.com/voice#ct=1000&rc=3';
    expect(signedUrl(url)).toBe('https://example.com/voice');
    const signature = twilioSignature(authToken, url, { A: '1' });
    expect(acceptedByTwilio('https://example.com/voice', { A: '1' }, signature)).toBe(true);
  });

  it('is refused for another token, URL or parameter value', () => {
    const signature = twilioSignature(authToken, 'https://example.com/a', { A: '1' });
    expect(twilio.validateRequest('other', signature, 'https://example.com/a', { A: '1' })).toBe(
      false,
    );
    expect(acceptedByTwilio('https://example.com/b', { A: '1' }, signature)).toBe(false);
    expect(acceptedByTwilio('https://example.com/a', { A: '2' }, signature)).toBe(false);
  });

  it('is the HMAC-SHA1 of the URL and the sorted name-value pairs', () => {
    const expected = createHmac('sha1', authToken)
      .update('https://example.com/xA1B2B3')
      .digest('base64');
    expect(twilioSignature(authToken, 'https://example.com/x', { B: ['3', '2'], A: '1' })).toBe(
      expected,
    );
  });
});

describe('formBody', () => {
  it('form-encodes every value of repeated names in order', () => {
    expect(
      formBody([
        ['a', '1'],
        ['b', 'x y'],
        ['a', '2'],
      ]),
    ).toBe('a=1&a=2&b=x+y');
    expect(formBody({ Tag: ['z', 'y'], Ü: 'é' })).toBe('Tag=z&Tag=y&%C3%9C=%C3%A9');
    expect(formBody(undefined)).toBe('');
  });
});

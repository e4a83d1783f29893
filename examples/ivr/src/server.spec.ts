import { type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import twilio from 'twilio';
import { loadConfig } from './config';
import { createIvrServer } from './server';

const AUTH_TOKEN = '0123456789abcdef0123456789abcdef';

describe('the IVR server', () => {
  let server: Server;
  let base: string;
  const lines: string[] = [];

  beforeAll(async () => {
    // Bound first, then told its own URL: the signature covers the URL Parley calls.
    let publicUrl = '';
    server = createIvrServer({
      authToken: AUTH_TOKEN,
      get publicUrl() {
        return publicUrl;
      },
      transferTo: 'whatsapp:+15550100004',
      log: (line) => lines.push(line),
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    publicUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    base = publicUrl;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  beforeEach(() => {
    lines.length = 0;
  });

  async function post(
    path: string,
    params: Record<string, string>,
    signWith: string | null = AUTH_TOKEN,
  ): Promise<{ status: number; body: string; contentType: string | null }> {
    const url = `${base}${path}`;
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
    };
    if (signWith !== null)
      headers['x-twilio-signature'] = twilio.getExpectedTwilioSignature(signWith, url, params);
    const res = await fetch(url, {
      method: 'POST',
      headers,
      body: new URLSearchParams(params).toString(),
    });
    return {
      status: res.status,
      body: await res.text(),
      contentType: res.headers.get('content-type'),
    };
  }

  const CALL = {
    CallSid: 'CA' + '1'.repeat(32),
    From: 'whatsapp:+15550100002',
    To: 'whatsapp:+15550100001',
  };

  it('answers a signed request with TwiML', async () => {
    const res = await post('/voice', CALL);
    expect(res.status).toBe(200);
    expect(res.contentType).toBe('text/xml');
    expect(res.body).toContain('<Gather numDigits="1" action="/menu"');
    expect(lines).toEqual([`${CALL.CallSid} greeting (from ${CALL.From} to ${CALL.To})`]);
  });

  it('refuses a request without a signature, or signed with another token, with 401', async () => {
    expect((await post('/voice', CALL, null)).status).toBe(401);
    expect((await post('/voice', CALL, 'f'.repeat(32))).status).toBe(401);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('refused POST /voice');
  });

  it('refuses a signed request whose parameters were changed on the way', async () => {
    const url = `${base}/menu`;
    const signature = twilio.getExpectedTwilioSignature(AUTH_TOKEN, url, { ...CALL, Digits: '1' });
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signature,
      },
      body: new URLSearchParams({ ...CALL, Digits: '2' }).toString(),
    });
    expect(res.status).toBe(401);
  });

  it('transfers on 2 from the number that was called', async () => {
    const res = await post('/menu', { ...CALL, Digits: '2' });
    expect(res.status).toBe(200);
    expect(res.body).toContain(
      '<Dial action="/transferred" method="POST" timeout="30" callerId="whatsapp:+15550100001"><WhatsApp>whatsapp:+15550100004</WhatsApp></Dial>',
    );
    expect(lines).toEqual([`${CALL.CallSid} pressed 2`]);
  });

  it('logs the recording status callback and answers 204', async () => {
    const res = await post('/recording-status', {
      ...CALL,
      RecordingSid: 'RE' + '2'.repeat(32),
      RecordingStatus: 'completed',
      RecordingUrl: 'http://127.0.0.1:3000/recording',
      RecordingDuration: '4',
    });
    expect(res.status).toBe(204);
    expect(lines).toEqual([
      `${CALL.CallSid} recording RE${'2'.repeat(32)} completed: http://127.0.0.1:3000/recording (4 s)`,
    ]);
  });

  it('answers 404 for an unknown path, signed or not', async () => {
    expect((await post('/nowhere', CALL)).status).toBe(404);
  });
});

describe('loadConfig', () => {
  it('needs the auth token and defaults the rest for the local demo', () => {
    expect(() => loadConfig({})).toThrow('TWILIO_AUTH_TOKEN is required');
    expect(loadConfig({ TWILIO_AUTH_TOKEN: 't', PORT: '4200' })).toEqual({
      port: 4200,
      host: '127.0.0.1',
      authToken: 't',
      publicUrl: 'http://127.0.0.1:4200',
      transferTo: 'whatsapp:+15550100004',
      defaultCallerId: undefined,
    });
  });

  it('refuses bad values', () => {
    expect(() => loadConfig({ TWILIO_AUTH_TOKEN: 't', PORT: 'x' })).toThrow('PORT');
    expect(() => loadConfig({ TWILIO_AUTH_TOKEN: 't', TRANSFER_TO: '+15550100004' })).toThrow(
      'TRANSFER_TO',
    );
    expect(() => loadConfig({ TWILIO_AUTH_TOKEN: 't', PUBLIC_URL: 'ftp://x' })).toThrow(
      'PUBLIC_URL',
    );
  });
});

import { type AccountSid } from '@parley/contracts';
import { type TwimlInterpreterEnv } from '../config/env.schema';
import { DocumentFetcher, type FetchRequest, type FetchResult } from './document-fetcher';
import { DocumentLoader } from './document-loader';

const ACCOUNT = 'AC00000000000000000000000000000001' as AccountSid;
const PARAMS = { CallSid: 'CA00000000000000000000000000000001' };

class ScriptedFetcher extends DocumentFetcher {
  readonly requests: FetchRequest[] = [];
  constructor(private readonly answers: Record<string, FetchResult>) {
    super();
  }
  fetch(request: FetchRequest): Promise<FetchResult> {
    this.requests.push(request);
    return Promise.resolve(
      this.answers[request.url] ?? { ok: false, errorCode: 11200, message: 'HTTP 404' },
    );
  }
}

const ok = (body: string, contentType = 'text/xml', finalUrl = 'https://a.example/x') =>
  ({ ok: true, status: 200, contentType, body, finalUrl }) as const;

function loader(answers: Record<string, FetchResult>, extra: Partial<TwimlInterpreterEnv> = {}) {
  const fetcher = new ScriptedFetcher(answers);
  const env = { TWIML_FETCH_BUDGET_MS: 15_000, ...extra } as TwimlInterpreterEnv;
  return { fetcher, loader: new DocumentLoader(fetcher, env) };
}

const url = (u: string, fallback?: string) => ({
  parameters: PARAMS,
  source: {
    kind: 'url' as const,
    url: u,
    method: 'POST' as const,
    fallback: fallback ? { url: fallback, method: 'GET' as const } : null,
  },
});

describe('DocumentLoader', () => {
  it('checks WhatsApp numbers as WHATSAPP_NUMBER_CHECK says: fictional 555 numbers only when possible', async () => {
    const twiml =
      '<Response><Dial callerId="whatsapp:+15550100001">' +
      '<WhatsApp>whatsapp:+15550100003</WhatsApp></Dial></Response>';
    const source = { parameters: PARAMS, source: { kind: 'twiml' as const, twiml } };
    const strict = await loader({}, { WHATSAPP_NUMBER_CHECK: 'valid' }).loader.load(
      ACCOUNT,
      source,
    );
    expect(strict).toMatchObject({ ok: false, code: 12200 });
    const loose = await loader({}, { WHATSAPP_NUMBER_CHECK: 'possible' }).loader.load(
      ACCOUNT,
      source,
    );
    expect(loose).toMatchObject({
      ok: true,
      document: {
        verbs: [
          {
            kind: 'Dial',
            attributes: { callerId: 'whatsapp:+15550100001' },
            nouns: [{ kind: 'WhatsApp', phoneNumber: '+15550100003' }],
          },
        ],
      },
      // No "needs a callerId of the form whatsapp:+E.164" warning either.
      warnings: [],
    });
  });

  it('parses inline TwiML without fetching', async () => {
    const { loader: l, fetcher } = loader({});
    const result = await l.load(ACCOUNT, {
      parameters: PARAMS,
      source: { kind: 'twiml', twiml: '<Response><Hangup/></Response>' },
    });
    expect(result).toMatchObject({
      ok: true,
      url: null,
      document: { verbs: [{ kind: 'Hangup' }] },
    });
    expect(fetcher.requests).toEqual([]);
  });

  it('returns the document and the URL that answered', async () => {
    const { loader: l } = loader({
      'https://a.example/voice': ok(
        '<Response><Say>Hi</Say></Response>',
        'text/xml; charset=utf-8',
        'https://a.example/v2',
      ),
    });
    expect(await l.load(ACCOUNT, url('https://a.example/voice'))).toMatchObject({
      ok: true,
      url: 'https://a.example/v2',
    });
  });

  it('refuses a Content-Type that is not TwiML with 12300', async () => {
    const { loader: l } = loader({ 'https://a.example/voice': ok('{}', 'application/json') });
    expect(await l.load(ACCOUNT, url('https://a.example/voice'))).toMatchObject({
      ok: false,
      code: 12300,
    });
  });

  it('reports a malformed document with 12100', async () => {
    const { loader: l } = loader({
      'https://a.example/voice': ok('<Response><Say>unclosed</Response>'),
    });
    expect(await l.load(ACCOUNT, url('https://a.example/voice'))).toMatchObject({
      ok: false,
      code: 12100,
    });
  });

  it('asks the fallback with ErrorCode and ErrorUrl when the primary fails', async () => {
    const { loader: l, fetcher } = loader({
      'https://b.example/fallback': ok('<Response><Hangup/></Response>'),
    });
    const result = await l.load(
      ACCOUNT,
      url('https://a.example/voice', 'https://b.example/fallback'),
    );
    expect(result).toMatchObject({ ok: true });
    expect(fetcher.requests[1]).toMatchObject({
      url: 'https://b.example/fallback',
      method: 'GET',
      parameters: { ...PARAMS, ErrorCode: '11200', ErrorUrl: 'https://a.example/voice' },
    });
  });

  it("reports the primary's code when the fallback fails too", async () => {
    const { loader: l } = loader({ 'https://a.example/voice': ok('not xml') });
    expect(
      await l.load(ACCOUNT, url('https://a.example/voice', 'https://b.example/fallback')),
    ).toMatchObject({ ok: false, code: 12100 });
  });
});

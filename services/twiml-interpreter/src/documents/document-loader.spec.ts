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

function loader(answers: Record<string, FetchResult>) {
  const fetcher = new ScriptedFetcher(answers);
  const env = { TWIML_FETCH_BUDGET_MS: 15_000 } as TwimlInterpreterEnv;
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

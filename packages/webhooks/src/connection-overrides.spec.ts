import { DEFAULT_CONNECTION_OVERRIDES, parseWebhookUrl } from './connection-overrides';

describe('parseWebhookUrl', () => {
  it("uses Twilio's defaults when the URL has no fragment", () => {
    const parsed = parseWebhookUrl('https://example.com/voice?x=1');
    expect(parsed.url).toBe('https://example.com/voice?x=1');
    expect(parsed.overrides).toEqual(DEFAULT_CONNECTION_OVERRIDES);
    expect(parsed.overrides).toEqual({
      connectTimeoutMs: 5000,
      readTimeoutMs: 15_000,
      totalTimeoutMs: 15_000,
      retryCount: 1,
      retryOn: new Set(['ct']),
      edge: null,
      sni: true,
    });
    expect(parsed.warnings).toEqual([]);
  });

  it('reads every override and strips the fragment', () => {
    const parsed = parseWebhookUrl(
      'https://example.com/voice?x=1#ct=1000&rt=3000&tt=12000&rc=3&rp=ct,5xx&e=dublin&sni=n',
    );
    expect(parsed.url).toBe('https://example.com/voice?x=1');
    expect(parsed.overrides).toEqual({
      connectTimeoutMs: 1000,
      readTimeoutMs: 3000,
      totalTimeoutMs: 12_000,
      retryCount: 3,
      retryOn: new Set(['ct', '5xx']),
      edge: 'dublin',
      sni: false,
    });
    expect(parsed.warnings).toEqual([]);
  });

  it('expands rp=all to every condition', () => {
    expect(parseWebhookUrl('https://e.com/#rp=all').overrides.retryOn).toEqual(
      new Set(['4xx', '5xx', 'ct', 'rt']),
    );
  });

  it.each([
    ['ct=50', { connectTimeoutMs: 100 }, 'ct=50 raised to 100'],
    ['ct=60000', { connectTimeoutMs: 10_000 }, 'ct=60000 lowered to 10000'],
    ['rt=0', { readTimeoutMs: 100 }, 'rt=0 raised to 100'],
    ['tt=99999', { totalTimeoutMs: 15_000 }, 'tt=99999 lowered to 15000'],
    ['rc=9', { retryCount: 5 }, 'rc=9 lowered to 5'],
    ['rc=-1', { retryCount: 1 }, 'rc=-1 is not a whole number; using 1'],
    ['ct=fast', { connectTimeoutMs: 5000 }, 'ct=fast is not a whole number; using 5000'],
    ['ct=1.5', { connectTimeoutMs: 5000 }, 'ct=1.5 is not a whole number; using 5000'],
  ])('bounds %s', (fragment, expected, warning) => {
    const parsed = parseWebhookUrl(`https://example.com/#${fragment}`);
    expect(parsed.overrides).toMatchObject(expected);
    expect(parsed.warnings).toEqual([warning]);
  });

  it('keeps the default retry policy when rp names nothing valid, and warns', () => {
    const parsed = parseWebhookUrl('https://example.com/#rp=sometimes');
    expect(parsed.overrides.retryOn).toEqual(new Set(['ct']));
    expect(parsed.warnings).toEqual(['rp value "sometimes" is not one of 4xx, 5xx, ct, rt, all']);
  });

  it('ignores unknown keys, bad edges and bad sni values with warnings', () => {
    const parsed = parseWebhookUrl('https://example.com/#zz=1&e=Not%20An%20Edge&sni=maybe');
    expect(parsed.overrides.edge).toBeNull();
    expect(parsed.overrides.sni).toBe(true);
    expect(parsed.warnings).toEqual([
      'unknown connection override "zz"',
      'e=Not An Edge is not an edge name',
      'sni=maybe is not y or n',
    ]);
  });

  it('treats an empty fragment as no overrides', () => {
    const parsed = parseWebhookUrl('https://example.com/voice#');
    expect(parsed.url).toBe('https://example.com/voice');
    expect(parsed.overrides).toEqual(DEFAULT_CONNECTION_OVERRIDES);
  });
});

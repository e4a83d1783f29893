import { envSchema } from './env.schema';

describe('call-control environment', () => {
  it('defaults to WhatsApp limits and Twilio defaults', () => {
    const env = envSchema.parse({ NODE_ENV: 'development' });
    expect(env.SENDER_MAX_CONCURRENT_CALLS).toBe(1000);
    expect(env.CALL_DEFAULT_TIMEOUT_SEC).toBe(60);
    expect(env.CALL_DEFAULT_TIME_LIMIT_SEC).toBe(14_400);
    expect(env.META_GRAPH_BASE_URL).toBe('https://graph.facebook.com');
    expect(env.META_GRAPH_VERSION).toBe('v23.0');
    expect(env.WHATSAPP_NUMBER_CHECK).toBe('valid');
    expect(env.HTTP_PORT).toBe(3000);
  });

  it('defaults to production: the development secrets key needs NODE_ENV set explicitly', () => {
    const unset = envSchema.safeParse({});
    expect(unset.success).toBe(false);
    expect(unset.error?.issues.map((i) => i.path.join('.'))).toEqual(['PARLEY_SECRETS_KEY']);
    expect(envSchema.safeParse({ NODE_ENV: 'development' }).data?.PARLEY_SECRETS_KEY).toBe(
      undefined,
    );
    expect(
      envSchema.parse({
        NODE_ENV: 'production',
        PARLEY_SECRETS_KEY: Buffer.alloc(32, 1).toString('base64'),
      }).NODE_ENV,
    ).toBe('production');
  });

  it('requires PARLEY_SECRETS_KEY (32 bytes, base64) in production', () => {
    const missing = envSchema.safeParse({ NODE_ENV: 'production' });
    expect(missing.success).toBe(false);
    expect(missing.error?.issues.map((i) => i.path.join('.'))).toEqual(['PARLEY_SECRETS_KEY']);
    const short = envSchema.safeParse({
      NODE_ENV: 'production',
      PARLEY_SECRETS_KEY: Buffer.alloc(16).toString('base64'),
    });
    expect(short.success).toBe(false);
    const ok = envSchema.safeParse({
      NODE_ENV: 'production',
      PARLEY_SECRETS_KEY: Buffer.alloc(32, 7).toString('base64'),
    });
    expect(ok.success).toBe(true);
  });

  it('takes the development account as a pair', () => {
    const sid = 'AC' + 'a'.repeat(32);
    const dev = { NODE_ENV: 'development' };
    expect(envSchema.safeParse({ ...dev, PARLEY_DEV_ACCOUNT_SID: sid }).success).toBe(false);
    expect(
      envSchema.safeParse({
        ...dev,
        PARLEY_DEV_ACCOUNT_SID: sid,
        PARLEY_DEV_AUTH_TOKEN: 'b'.repeat(32),
      }).success,
    ).toBe(true);
    expect(
      envSchema.safeParse({ ...dev, PARLEY_DEV_ACCOUNT_SID: sid, PARLEY_DEV_AUTH_TOKEN: 'short' })
        .success,
    ).toBe(false);
  });

  it('refuses a Graph version that is not vNN.N', () => {
    expect(envSchema.safeParse({ NODE_ENV: 'development', META_GRAPH_VERSION: '23' }).success).toBe(
      false,
    );
  });
});

import { ConfigError, baseEnvSchema, cidrListEnv, loadEnv } from './env';

const schema = baseEnvSchema({ httpPort: 3002 });

describe('loadEnv', () => {
  it('applies defaults for an empty environment', () => {
    const env = loadEnv('consent', schema, {});
    expect(env.HTTP_PORT).toBe(3002);
    expect(env.NATS_URL).toBe('nats://127.0.0.1:4222');
    expect(env.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/parley');
    expect(env.LOG_LEVEL).toBe('info');
    // Built services default to production: development needs NODE_ENV set explicitly.
    expect(env.NODE_ENV).toBe('production');
    expect(env.INTERNAL_HTTP_PORT).toBeUndefined();
  });

  it('converts numbers', () => {
    expect(loadEnv('consent', schema, { HTTP_PORT: '8080', SHUTDOWN_GRACE_MS: '0' })).toMatchObject(
      {
        HTTP_PORT: 8080,
        SHUTDOWN_GRACE_MS: 0,
      },
    );
  });

  it('names every bad variable in one error', () => {
    let caught: unknown;
    try {
      loadEnv('consent', schema, {
        HTTP_PORT: '70000',
        LOG_LEVEL: 'loud',
        NATS_URL: 'nats://a:4222,http://b',
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const variables = (caught as ConfigError).problems.map((p) => p.variable).sort();
    expect(variables).toEqual(['HTTP_PORT', 'LOG_LEVEL', 'NATS_URL']);
    expect((caught as ConfigError).message).toContain('got "70000"');
  });

  it('takes an optional NATS namespace, empty meaning none, and refuses one unsafe in subjects', () => {
    expect(loadEnv('consent', schema, {}).PARLEY_NATS_NAMESPACE).toBe('');
    expect(loadEnv('consent', schema, { PARLEY_NATS_NAMESPACE: 'acme-eu_1' })).toMatchObject({
      PARLEY_NATS_NAMESPACE: 'acme-eu_1',
    });
    for (const bad of ['Acme', 'acme.eu', 'a*', '1acme', 'a'.repeat(33)]) {
      expect(() => loadEnv('consent', schema, { PARLEY_NATS_NAMESPACE: bad })).toThrow(
        /PARLEY_NATS_NAMESPACE: must be 1-32 characters/,
      );
    }
  });

  it('never echoes the value of a secret-looking variable', () => {
    const withSecret = schema.extend({
      META_APP_SECRET: schema.shape.INSTANCE_ID.removeDefault().min(16),
    });
    expect(() => loadEnv('consent', withSecret, { META_APP_SECRET: 'short' })).toThrow(
      /value hidden/,
    );
    expect(() => loadEnv('consent', withSecret, { META_APP_SECRET: 'short' })).not.toThrow(/short/);
  });
});

describe('cidrListEnv', () => {
  const schema = cidrListEnv();

  it('reads comma-separated CIDRs, blanks dropped, and nothing by default', () => {
    expect(schema.parse(' 127.0.0.1/32, ,::1/128 ')).toEqual(['127.0.0.1/32', '::1/128']);
    expect(schema.parse(undefined)).toEqual([]);
  });

  it.each(['127.0.0.1', 'localhost/32', '300.1.1.1/8', '10.0.0.0/8,example.com'])(
    'refuses %s',
    (value) => {
      expect(schema.safeParse(value).success).toBe(false);
    },
  );
});

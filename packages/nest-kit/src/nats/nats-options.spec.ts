import { baseEnvSchema } from '../config/env';
import { natsConnectionOptions } from './nats.providers';

const env = (vars: Record<string, string>) => baseEnvSchema({ httpPort: 1 }).parse(vars);

describe('natsConnectionOptions', () => {
  it('connects without credentials or TLS by default', () => {
    const options = natsConnectionOptions(env({}), 'svc');
    expect(options).toMatchObject({ servers: ['nats://127.0.0.1:4222'], name: 'svc' });
    expect(options.user).toBeUndefined();
    expect(options.token).toBeUndefined();
    expect(options.tls).toBeUndefined();
  });

  it('takes user and password, a token and TLS files from the environment', () => {
    const options = natsConnectionOptions(
      env({
        NATS_URL: 'tls://nats-1:4222,tls://nats-2:4222',
        NATS_USER: 'parley',
        NATS_PASSWORD: 'hunter22',
        NATS_TOKEN: 's3cret',
        NATS_TLS_CA_FILE: '/etc/nats/ca.pem',
        NATS_TLS_CERT_FILE: '/etc/nats/client.pem',
        NATS_TLS_KEY_FILE: '/etc/nats/client-key.pem',
      }),
      'svc',
    );
    expect(options).toMatchObject({
      servers: ['tls://nats-1:4222', 'tls://nats-2:4222'],
      user: 'parley',
      pass: 'hunter22',
      token: 's3cret',
      tls: {
        caFile: '/etc/nats/ca.pem',
        certFile: '/etc/nats/client.pem',
        keyFile: '/etc/nats/client-key.pem',
      },
    });
  });

  it('requires TLS when NATS_TLS=true, even without files', () => {
    expect(natsConnectionOptions(env({ NATS_TLS: 'true' }), 'svc').tls).toEqual({});
  });
});

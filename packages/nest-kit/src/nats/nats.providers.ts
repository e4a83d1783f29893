import { type Provider } from '@nestjs/common';
import { NatsBus } from '@parley/contracts';
import { readFileSync } from 'node:fs';
import { connect, credsAuthenticator, type ConnectionOptions, type NatsConnection } from 'nats';
import { type BaseEnv } from '../config/env';
import { currentCorrelationId } from '../logging/correlation';
import { type ParleyLogger } from '../logging/logger';
import {
  NATS_CONNECTION,
  PARLEY_ENV,
  PARLEY_LOGGER,
  SERVICE_INFO,
  type ServiceInfo,
} from '../tokens';

/** The NATS settings natsConnectionOptions reads (every service's env has them). */
export type NatsEnv = Pick<
  BaseEnv,
  | 'NATS_URL'
  | 'NATS_USER'
  | 'NATS_PASSWORD'
  | 'NATS_TOKEN'
  | 'NATS_CREDS_FILE'
  | 'NATS_TLS'
  | 'NATS_TLS_CA_FILE'
  | 'NATS_TLS_CERT_FILE'
  | 'NATS_TLS_KEY_FILE'
>;

/**
 * Connection options shared by the bus and the NestJS NATS transport: reconnect forever,
 * with the deployment's credentials (user/password, token or a creds file) and TLS.
 */
export function natsConnectionOptions(env: NatsEnv, name: string): ConnectionOptions {
  const options: ConnectionOptions = {
    servers: env.NATS_URL.split(',').map((s) => s.trim()),
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1_000,
    pingInterval: 10_000,
  };
  if (env.NATS_USER !== undefined) options.user = env.NATS_USER;
  if (env.NATS_PASSWORD !== undefined) options.pass = env.NATS_PASSWORD;
  if (env.NATS_TOKEN !== undefined) options.token = env.NATS_TOKEN;
  if (env.NATS_CREDS_FILE !== undefined) {
    options.authenticator = credsAuthenticator(readFileSync(env.NATS_CREDS_FILE));
  }
  const tlsFiles = {
    ...(env.NATS_TLS_CA_FILE ? { caFile: env.NATS_TLS_CA_FILE } : {}),
    ...(env.NATS_TLS_CERT_FILE ? { certFile: env.NATS_TLS_CERT_FILE } : {}),
    ...(env.NATS_TLS_KEY_FILE ? { keyFile: env.NATS_TLS_KEY_FILE } : {}),
  };
  if (env.NATS_TLS || Object.keys(tlsFiles).length) options.tls = tlsFiles;
  return options;
}

async function watchStatus(nc: NatsConnection, logger: ParleyLogger): Promise<void> {
  for await (const s of nc.status()) {
    const type = String(s.type);
    const data = typeof s.data === 'string' ? s.data : JSON.stringify(s.data);
    if (type === 'disconnect' || type === 'error')
      logger.warn({ nats: type, data }, 'NATS connection lost');
    else if (type === 'reconnect') logger.info({ nats: type, data }, 'NATS reconnected');
  }
}

export const natsProviders: Provider[] = [
  {
    provide: NATS_CONNECTION,
    inject: [PARLEY_ENV, SERVICE_INFO, PARLEY_LOGGER],
    useFactory: async (
      env: BaseEnv,
      info: ServiceInfo,
      logger: ParleyLogger,
    ): Promise<NatsConnection> => {
      const nc = await connect(natsConnectionOptions(env, `${info.name}/${info.instanceId}`));
      void watchStatus(nc, logger);
      return nc;
    },
  },
  {
    provide: NatsBus,
    inject: [NATS_CONNECTION, SERVICE_INFO, PARLEY_LOGGER, PARLEY_ENV],
    useFactory: (
      nc: NatsConnection,
      info: ServiceInfo,
      logger: ParleyLogger,
      env: BaseEnv,
    ): NatsBus =>
      new NatsBus(nc, {
        source: `${info.name}/${info.instanceId}`,
        namespace: env.PARLEY_NATS_NAMESPACE,
        currentCorrelationId,
        onError: (event, { subject, error }) =>
          logger.error({ subject, err: error }, `NATS ${event}`),
      }),
  },
];

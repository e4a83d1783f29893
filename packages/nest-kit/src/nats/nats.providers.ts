import { type Provider } from '@nestjs/common';
import { NatsBus } from '@parley/contracts';
import { connect, type ConnectionOptions, type NatsConnection } from 'nats';
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

/** Connection options shared by the bus and the NestJS NATS transport: reconnect forever. */
export function natsConnectionOptions(env: BaseEnv, name: string): ConnectionOptions {
  return {
    servers: env.NATS_URL.split(',').map((s) => s.trim()),
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1_000,
    pingInterval: 10_000,
  };
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

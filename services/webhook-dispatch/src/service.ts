import { packageVersion, type ServiceDefinition } from '@parley/nest-kit';
import { envSchema, type WebhookDispatchEnv } from './config/env.schema';
import { migrations } from './database/migrations';
import { WebhookDeliveryEntity } from './deliveries/webhook-delivery.entity';
import { DeliveriesModule } from './deliveries/deliveries.module';
import { RequestLogEntity } from './request-log/request-log.entity';
import { RequestLogModule } from './request-log/request-log.module';

export const service: ServiceDefinition<WebhookDispatchEnv> = {
  name: 'webhook-dispatch',
  version: packageVersion(__dirname),
  envSchema,
  database: {
    schema: 'webhook_dispatch',
    entities: [WebhookDeliveryEntity, RequestLogEntity],
    migrations,
  },
  imports: () => [RequestLogModule, DeliveriesModule],
};

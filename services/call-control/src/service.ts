import { packageVersion, type ServiceDefinition } from '@parley/nest-kit';
import { AccountEntity } from './accounts/account.entity';
import { AccountsModule } from './accounts/accounts.module';
import { ApiKeyEntity } from './api-keys/api-key.entity';
import { ApiKeysModule } from './api-keys/api-keys.module';
import { StoredCredentials } from './api-keys/stored-credentials';
import { ApplicationEntity } from './applications/application.entity';
import { ApplicationsModule } from './applications/applications.module';
import { AuthModule } from './auth/auth.module';
import { CallEventEntity } from './call-events/call-event.entity';
import { CallEventsModule } from './call-events/call-events.module';
import { CallPermissionsModule } from './call-permissions/call-permissions.module';
import { CallEntity } from './calls/call.entity';
import { CallEffectEntity } from './calls/call-effect.entity';
import { CallsModule } from './calls/calls.module';
import { CommonModule } from './common/common.module';
import { ContentApprovalEntity } from './content/content-approval.entity';
import { ContentEntity } from './content/content.entity';
import { ApprovalsModule } from './content/approvals.module';
import { ContentModule } from './content/content.module';
import { envSchema, type CallControlEnv } from './config/env.schema';
import { DeadLetterEntity } from './dead-letters/dead-letter.entity';
import { DeadLettersModule } from './dead-letters/dead-letters.module';
import { migrations } from './database/migrations';
import { HttpModule } from './http/http.module';
import { MetaWebhookDeliveryEntity } from './meta-webhooks/meta-webhook-delivery.entity';
import { MetaWebhookEventEntity } from './meta-webhooks/meta-webhook-event.entity';
import { MetaWebhooksModule } from './meta-webhooks/meta-webhooks.module';
import { MessageEntity } from './messages/message.entity';
import { MessageOutboxEntity } from './outbox/message-outbox.entity';
import { MessagesModule } from './messages/messages.module';
import { MetaModule } from './meta/meta.module';
import { NotificationsModule } from './notifications/notifications.module';
import { OpenApiModule } from './openapi/openapi.module';
import { ClientsModule } from './clients/clients.module';
import { RecordingEntity } from './recordings/recording.entity';
import { StreamEntity } from './streams/stream.entity';
import { RecordingsModule } from './recordings/recordings.module';
import { StreamsModule } from './streams/streams.module';
import { SecretsModule } from './secrets/secrets.module';
import { SenderEntity } from './senders/sender.entity';
import { SendersModule } from './senders/senders.module';

export const entities = [
  AccountEntity,
  ApiKeyEntity,
  ApplicationEntity,
  SenderEntity,
  CallEntity,
  CallEventEntity,
  CallEffectEntity,
  MetaWebhookEventEntity,
  MetaWebhookDeliveryEntity,
  RecordingEntity,
  StreamEntity,
  DeadLetterEntity,
  ContentEntity,
  ContentApprovalEntity,
  MessageEntity,
  MessageOutboxEntity,
];

export const service: ServiceDefinition<CallControlEnv> = {
  name: 'call-control',
  version: packageVersion(__dirname),
  envSchema,
  database: { schema: 'call_control', entities, migrations },
  imports: () => [
    // First: its providers register the body parsers before NestJS adds its defaults.
    HttpModule,
    CommonModule,
    SecretsModule,
    AccountsModule,
    ApiKeysModule,
    AuthModule.withCredentials({ imports: [ApiKeysModule], store: StoredCredentials }),
    ApplicationsModule,
    SendersModule,
    CallEventsModule,
    MetaModule,
    ClientsModule,
    CallsModule,
    RecordingsModule,
    StreamsModule,
    CallPermissionsModule,
    DeadLettersModule,
    ContentModule,
    MessagesModule,
    ApprovalsModule,
    NotificationsModule,
    MetaWebhooksModule,
    OpenApiModule,
  ],
};

import { Global, Module } from '@nestjs/common';
import { CallEventsModule } from '../call-events/call-events.module';
import { ConsentClient } from './consent.client';
import { InterpreterClient } from './interpreter.client';
import { MediaClient } from './media.client';
import { RequestLogClient } from './request-log.client';

/** Clients of the other Parley services, over NATS. */
@Global()
@Module({
  imports: [CallEventsModule],
  providers: [MediaClient, InterpreterClient, ConsentClient, RequestLogClient],
  exports: [MediaClient, InterpreterClient, ConsentClient, RequestLogClient],
})
export class ClientsModule {}

import { Global, Module } from '@nestjs/common';
import { CallEventsModule } from '../call-events/call-events.module';
import { ConsentPeer } from './consent.peer';
import { InterpreterPeer } from './interpreter.peer';
import { MediaPeer } from './media.peer';

/** Clients of the other Parley services, over NATS. */
@Global()
@Module({
  imports: [CallEventsModule],
  providers: [MediaPeer, InterpreterPeer, ConsentPeer],
  exports: [MediaPeer, InterpreterPeer, ConsentPeer],
})
export class PeersModule {}

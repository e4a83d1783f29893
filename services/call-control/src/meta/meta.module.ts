import { Global, Module } from '@nestjs/common';
import { CallEventsModule } from '../call-events/call-events.module';
import { MetaService } from './meta.service';

@Global()
@Module({ imports: [CallEventsModule], providers: [MetaService], exports: [MetaService] })
export class MetaModule {}

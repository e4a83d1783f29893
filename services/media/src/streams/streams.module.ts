import { Module } from '@nestjs/common';
import { DtmfModule } from '../dtmf/dtmf.module';
import { LegsModule } from '../legs/legs.module';
import { PlaybackModule } from '../playback/playback.module';
import { StreamsController } from './streams.controller';
import { StreamsService } from './streams.service';

@Module({
  imports: [LegsModule, DtmfModule, PlaybackModule],
  controllers: [StreamsController],
  providers: [StreamsService],
})
export class StreamsModule {}

import { Module } from '@nestjs/common';
import { PARLEY_ENV } from '@parley/nest-kit';
import { recordingStorageFromEnv } from '@parley/recording-storage';
import { DtmfModule } from '../dtmf/dtmf.module';
import { LegsModule } from '../legs/legs.module';
import { PlaybackModule } from '../playback/playback.module';
import { RecordingsController } from './recordings.controller';
import { RECORDING_STORAGE, RecordingsService } from './recordings.service';

@Module({
  imports: [LegsModule, DtmfModule, PlaybackModule],
  controllers: [RecordingsController],
  providers: [
    RecordingsService,
    { provide: RECORDING_STORAGE, inject: [PARLEY_ENV], useFactory: recordingStorageFromEnv },
  ],
})
export class RecordingsModule {}

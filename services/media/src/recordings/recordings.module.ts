import { Module } from '@nestjs/common';
import { PARLEY_ENV } from '@parley/nest-kit';
import { type MediaEnv } from '../config/env.schema';
import { DtmfModule } from '../dtmf/dtmf.module';
import { LegsModule } from '../legs/legs.module';
import { PlaybackModule } from '../playback/playback.module';
import { RecordingsController } from './recordings.controller';
import { RECORDING_STORAGE, RecordingsService } from './recordings.service';
import { LocalDirectoryStorage, S3Storage, type RecordingStorage } from './storage';

/** The storage RECORDINGS_STORAGE names (the env schema checked S3's settings). */
export function recordingStorage(env: MediaEnv): RecordingStorage {
  if (env.RECORDINGS_STORAGE === 'local') return new LocalDirectoryStorage(env.RECORDINGS_DIR);
  return new S3Storage({
    endpoint: env.RECORDINGS_S3_ENDPOINT ?? '',
    region: env.RECORDINGS_S3_REGION,
    bucket: env.RECORDINGS_S3_BUCKET ?? '',
    accessKeyId: env.RECORDINGS_S3_ACCESS_KEY_ID ?? '',
    secretAccessKey: env.RECORDINGS_S3_SECRET_ACCESS_KEY ?? '',
    ...(env.RECORDINGS_S3_SESSION_TOKEN ? { sessionToken: env.RECORDINGS_S3_SESSION_TOKEN } : {}),
    forcePathStyle: env.RECORDINGS_S3_FORCE_PATH_STYLE,
  });
}

@Module({
  imports: [LegsModule, DtmfModule, PlaybackModule],
  controllers: [RecordingsController],
  providers: [
    RecordingsService,
    { provide: RECORDING_STORAGE, inject: [PARLEY_ENV], useFactory: recordingStorage },
  ],
})
export class RecordingsModule {}

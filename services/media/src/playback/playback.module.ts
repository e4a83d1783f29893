import { Module } from '@nestjs/common';
import { PARLEY_ENV } from '@parley/nest-kit';
import { createAudioEngines } from '../audio';
import { type MediaEnv } from '../config/env.schema';
import { LegsModule } from '../legs/legs.module';
import { PlaybackController } from './playback.controller';
import { AUDIO_ENGINES, PlaybackService } from './playback.service';

@Module({
  imports: [LegsModule],
  controllers: [PlaybackController],
  providers: [
    PlaybackService,
    {
      provide: AUDIO_ENGINES,
      inject: [PARLEY_ENV],
      useFactory: (env: MediaEnv) =>
        createAudioEngines({
          cacheMaxBytes: env.MEDIA_PROMPT_CACHE_MB * 1024 * 1024,
          tts: { command: env.MEDIA_TTS_COMMAND },
          urls: { allowPrivateNetworks: env.MEDIA_FETCH_ALLOW_PRIVATE_NETWORKS },
        }),
    },
  ],
  exports: [PlaybackService],
})
export class PlaybackModule {}

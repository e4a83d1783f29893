import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PARLEY_ENV } from '@parley/nest-kit';
import { recordingStorageFromEnv } from '@parley/recording-storage';
import { CallsModule } from '../calls/calls.module';
import { RecordingCommandsController } from './recording-commands.controller';
import { RecordingCompletionsConsumer } from './recording-completions.consumer';
import { RecordingReconciler } from './recording-reconciler.service';
import { RecordingEntity } from './recording.entity';
import { RecordingsController } from './recordings.controller';
import { RECORDING_STORAGE, RecordingsService } from './recordings.service';

/**
 * Twilio's Recording resource: metadata here, audio in recording storage (written by
 * media). Above calls/: it starts `Record=true` recordings on calls/' `call.answered`.
 */
@Module({
  imports: [TypeOrmModule.forFeature([RecordingEntity]), CallsModule],
  controllers: [RecordingsController, RecordingCommandsController],
  providers: [
    RecordingsService,
    RecordingCompletionsConsumer,
    RecordingReconciler,
    { provide: RECORDING_STORAGE, inject: [PARLEY_ENV], useFactory: recordingStorageFromEnv },
  ],
  exports: [RecordingsService],
})
export class RecordingsModule {}

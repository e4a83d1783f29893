import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PARLEY_ENV } from '@parley/nest-kit';
import { recordingStorageFromEnv } from '@parley/recording-storage';
import { CallEntity } from '../calls/call.entity';
import { CallsRepository } from '../calls/calls.repository';
import { RecordingCompletionsConsumer } from './recording-completions.consumer';
import { RecordingEntity } from './recording.entity';
import { RecordingsController } from './recordings.controller';
import { RECORDING_STORAGE, RecordingsService } from './recordings.service';

/** Twilio's Recording resource: metadata here, audio in recording storage (written by media). */
@Module({
  imports: [TypeOrmModule.forFeature([RecordingEntity, CallEntity])],
  controllers: [RecordingsController],
  providers: [
    // Stateless over the calls table; provided here too because CallsModule imports this one.
    CallsRepository,
    RecordingsService,
    RecordingCompletionsConsumer,
    { provide: RECORDING_STORAGE, inject: [PARLEY_ENV], useFactory: recordingStorageFromEnv },
  ],
  exports: [RecordingsService],
})
export class RecordingsModule {}

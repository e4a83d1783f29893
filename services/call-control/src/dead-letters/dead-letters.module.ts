import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DEAD_LETTER_SINK } from '@parley/nest-kit';
import { DeadLetterEntity } from './dead-letter.entity';
import { DeadLettersService } from './dead-letters.service';

/**
 * Durable events this service's consumers gave up on (nest-kit finds DEAD_LETTER_SINK).
 * Knows no feature: it re-drives through nest-kit's handler registry.
 */
@Module({
  imports: [TypeOrmModule.forFeature([DeadLetterEntity])],
  providers: [DeadLettersService, { provide: DEAD_LETTER_SINK, useExisting: DeadLettersService }],
  exports: [DeadLettersService],
})
export class DeadLettersModule {}

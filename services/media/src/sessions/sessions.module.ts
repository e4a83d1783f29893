import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MediaSessionEntity } from './media-session.entity';
import { MediaSessionsRepository } from './media-sessions.repository';

@Module({
  imports: [TypeOrmModule.forFeature([MediaSessionEntity])],
  providers: [MediaSessionsRepository],
  exports: [MediaSessionsRepository],
})
export class SessionsModule {}

import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MediaSessionEntity } from './media-session.entity';

@Module({
  imports: [TypeOrmModule.forFeature([MediaSessionEntity])],
  exports: [TypeOrmModule],
})
export class SessionsModule {}

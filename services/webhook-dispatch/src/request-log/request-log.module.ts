import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RequestLogController } from './request-log.controller';
import { RequestLogEntity } from './request-log.entity';
import { RequestLogPruner } from './request-log-pruner';
import { RequestLogRepository } from './request-log.repository';

@Module({
  imports: [TypeOrmModule.forFeature([RequestLogEntity])],
  controllers: [RequestLogController],
  providers: [RequestLogRepository, RequestLogPruner],
  exports: [RequestLogRepository, RequestLogPruner],
})
export class RequestLogModule {}

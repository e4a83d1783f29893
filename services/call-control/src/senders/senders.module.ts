import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApplicationsModule } from '../applications/applications.module';
import { SenderEntity } from './sender.entity';
import { SendersController } from './senders.controller';
import { SendersService } from './senders.service';

@Module({
  imports: [TypeOrmModule.forFeature([SenderEntity]), ApplicationsModule],
  controllers: [SendersController],
  providers: [SendersService],
  exports: [SendersService],
})
export class SendersModule {}

import { Module } from '@nestjs/common';
import { SendersModule } from '../senders/senders.module';
import { CallPermissionsController } from './call-permissions.controller';
import { CallPermissionsService } from './call-permissions.service';

/** The consent ledger's state, read through consent (`consent.v1.permission.state`). */
@Module({
  imports: [SendersModule],
  controllers: [CallPermissionsController],
  providers: [CallPermissionsService],
})
export class CallPermissionsModule {}

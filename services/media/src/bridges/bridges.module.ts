import { Module } from '@nestjs/common';
import { LegsModule } from '../legs/legs.module';
import { BridgesController } from './bridges.controller';
import { BridgesService } from './bridges.service';

@Module({
  imports: [LegsModule],
  controllers: [BridgesController],
  providers: [BridgesService],
  exports: [BridgesService],
})
export class BridgesModule {}

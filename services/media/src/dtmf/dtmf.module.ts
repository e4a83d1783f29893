import { Module } from '@nestjs/common';
import { LegsModule } from '../legs/legs.module';
import { DtmfService } from './dtmf.service';

@Module({
  imports: [LegsModule],
  providers: [DtmfService],
  exports: [DtmfService],
})
export class DtmfModule {}

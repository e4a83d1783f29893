import { Module } from '@nestjs/common';
import { RtpengineService } from './rtpengine/rtpengine.service';
import { WhatsAppEdge } from './whatsapp-edge';

@Module({
  providers: [RtpengineService, WhatsAppEdge],
  exports: [RtpengineService, WhatsAppEdge],
})
export class EdgeModule {}

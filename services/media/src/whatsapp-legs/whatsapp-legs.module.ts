import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { WhatsAppLegEntity } from './whatsapp-leg.entity';
import { WhatsAppLegsRepository } from './whatsapp-legs.repository';

@Module({
  imports: [TypeOrmModule.forFeature([WhatsAppLegEntity])],
  providers: [WhatsAppLegsRepository],
  exports: [WhatsAppLegsRepository],
})
export class WhatsAppLegsModule {}

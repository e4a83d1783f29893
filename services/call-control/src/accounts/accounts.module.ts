import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountSigningKeyController } from './account-signing-key.controller';
import { AccountEntity } from './account.entity';
import { AccountsController } from './accounts.controller';
import { AccountsService } from './accounts.service';
import { DevAccountBootstrap } from './dev-account.bootstrap';

@Module({
  imports: [TypeOrmModule.forFeature([AccountEntity])],
  controllers: [AccountsController, AccountSigningKeyController],
  providers: [AccountsService, DevAccountBootstrap],
  exports: [AccountsService],
})
export class AccountsModule {}

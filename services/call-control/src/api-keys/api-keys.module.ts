import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule } from '../accounts/accounts.module';
import { ApiKeyEntity } from './api-key.entity';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeysService } from './api-keys.service';
import { StoredCredentials } from './stored-credentials';

@Module({
  imports: [TypeOrmModule.forFeature([ApiKeyEntity]), AccountsModule],
  controllers: [ApiKeysController],
  providers: [ApiKeysService, StoredCredentials],
  exports: [ApiKeysService, StoredCredentials],
})
export class ApiKeysModule {}

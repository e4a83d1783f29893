import { Global, Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import { ApiAuthGuard } from './api-auth.guard';
import { AuthService } from './auth.service';

@Global()
@Module({
  imports: [AccountsModule, ApiKeysModule],
  providers: [AuthService, ApiAuthGuard],
  exports: [AuthService, ApiAuthGuard],
})
export class AuthModule {}

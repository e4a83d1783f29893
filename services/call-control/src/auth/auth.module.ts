import { type DynamicModule, Global, Module, type ModuleMetadata, type Type } from '@nestjs/common';
import { ApiAuthGuard } from './api-auth.guard';
import { AuthService } from './auth.service';
import { CREDENTIAL_STORE, type CredentialStore } from './credential-store';

@Global()
@Module({})
export class AuthModule {
  /**
   * The composition root (service.ts) names where credentials are kept: `store` is a
   * provider exported by one of `imports`.
   */
  static withCredentials(credentials: {
    imports: NonNullable<ModuleMetadata['imports']>;
    store: Type<CredentialStore>;
  }): DynamicModule {
    return {
      module: AuthModule,
      imports: credentials.imports,
      providers: [
        { provide: CREDENTIAL_STORE, useExisting: credentials.store },
        AuthService,
        ApiAuthGuard,
      ],
      exports: [AuthService, ApiAuthGuard],
    };
  }
}

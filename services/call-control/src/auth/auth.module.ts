import { type DynamicModule, Global, Module, type ModuleMetadata, type Type } from '@nestjs/common';
import { PARLEY_ENV } from '@parley/nest-kit';
import { type CallControlEnv } from '../config/env.schema';
import { ApiAuthGuard } from './api-auth.guard';
import { AuthFailureLimiter } from './auth-failure-limiter';
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
        {
          provide: AuthFailureLimiter,
          inject: [PARLEY_ENV],
          useFactory: (env: CallControlEnv) =>
            new AuthFailureLimiter({
              perCredential: env.AUTH_FAILURES_PER_CREDENTIAL,
              perAddress: env.AUTH_FAILURES_PER_ADDRESS,
              windowMs: env.AUTH_FAILURE_WINDOW_SEC * 1000,
            }),
        },
      ],
      exports: [AuthService, ApiAuthGuard, AuthFailureLimiter],
    };
  }
}

import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { ParleyError } from '@parley/contracts';
import { type Response } from 'express';
import { AuthFailureLimiter } from './auth-failure-limiter';
import { AuthenticationError, AuthService } from './auth.service';
import { parseBasicAuth } from './basic-auth';
import { type ParleyRequest } from './principal';

/**
 * Authenticates every request of a public API controller. A path naming another account
 * than the credential's answers 404, as if it did not exist: a tenant never learns about
 * another tenant's resources.
 */
@Injectable()
export class ApiAuthGuard implements CanActivate {
  constructor(
    private readonly auth: AuthService,
    private readonly limiter: AuthFailureLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const req = http.getRequest<ParleyRequest>();
    const res = http.getResponse<Response>();
    const credential = parseBasicAuth(req.headers.authorization)?.username ?? null;
    const address = req.socket.remoteAddress ?? null;
    // Refused before any secret is hashed: failures past the limit cost no scrypt run.
    const waitMs = this.limiter.retryAfterMs(credential, address);
    if (waitMs > 0) {
      res.setHeader('Retry-After', String(Math.ceil(waitMs / 1000)));
      throw new ParleyError(20429, 'Too many failed authentications; retry later');
    }
    try {
      req.principal = await this.auth.authenticate(req.headers.authorization);
    } catch (error) {
      if (error instanceof AuthenticationError) this.limiter.recordFailure(credential, address);
      res.setHeader('WWW-Authenticate', 'Basic realm="Parley"');
      throw error;
    }
    const pathAccount = (req.params as Record<string, string | undefined>).AccountSid;
    if (pathAccount !== undefined && pathAccount !== req.principal.accountSid) {
      throw new ParleyError(20404, `The requested resource ${req.path} was not found`);
    }
    return true;
  }
}

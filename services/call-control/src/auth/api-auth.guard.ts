import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { ParleyError } from '@parley/contracts';
import { type Response } from 'express';
import { AuthService } from './auth.service';
import { type ParleyRequest } from './principal';

/**
 * Authenticates every request of a public API controller. A path naming another account
 * than the credential's answers 404, as if it did not exist: a tenant never learns about
 * another tenant's resources.
 */
@Injectable()
export class ApiAuthGuard implements CanActivate {
  constructor(private readonly auth: AuthService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const req = http.getRequest<ParleyRequest>();
    try {
      req.principal = await this.auth.authenticate(req.headers.authorization);
    } catch (error) {
      http.getResponse<Response>().setHeader('WWW-Authenticate', 'Basic realm="Parley"');
      throw error;
    }
    const pathAccount = (req.params as Record<string, string | undefined>).AccountSid;
    if (pathAccount !== undefined && pathAccount !== req.principal.accountSid) {
      throw new ParleyError(20404, `The requested resource ${req.path} was not found`);
    }
    return true;
  }
}

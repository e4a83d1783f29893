import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { type Request } from 'express';

/** Who made an authenticated request. */
export interface Principal {
  accountSid: string;
  via: 'account' | 'api-key';
  keySid: string | null;
}

export interface ParleyRequest extends Request {
  principal?: Principal;
  /** The exact bytes of a JSON body (needed to check Meta's signature). */
  rawBody?: Buffer;
}

/** The authenticated principal of the request (set by ApiAuthGuard). */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): Principal => {
    const principal = ctx.switchToHttp().getRequest<ParleyRequest>().principal;
    if (!principal) throw new Error('CurrentPrincipal used on a route without ApiAuthGuard');
    return principal;
  },
);

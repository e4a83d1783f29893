import {
  Catch,
  HttpException,
  Inject,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { ParleyError, moreInfoUrl, type ErrorCode, type TwilioErrorBody } from '@parley/contracts';
import { type Response } from 'express';
import { type Observable, throwError } from 'rxjs';
import { type ParleyLogger } from '../logging/logger';
import { PARLEY_LOGGER } from '../tokens';

const HTTP_STATUS_CODES: Partial<Record<number, ErrorCode>> = {
  400: 20001,
  401: 20003,
  404: 20404,
  405: 20004,
  413: 11750,
  429: 20429,
  503: 20503,
};

/**
 * One filter for both transports: HTTP answers carry Twilio's error body
 * `{code, message, more_info, status}`; NATS replies carry `{code, message}`.
 * Unexpected errors are logged with their stack and answered without internals.
 */
@Catch()
export class ParleyExceptionFilter implements ExceptionFilter {
  constructor(@Inject(PARLEY_LOGGER) private readonly logger: ParleyLogger) {}

  catch(exception: unknown, host: ArgumentsHost): Observable<never> | void {
    if (host.getType() === 'rpc') return this.rpc(exception);
    if (host.getType() !== 'http') throw exception;
    const res = host.switchToHttp().getResponse<Response>();
    const body = this.httpBody(exception);
    if (!res.headersSent) res.status(body.status).json(body);
  }

  private httpBody(exception: unknown): TwilioErrorBody {
    if (exception instanceof ParleyError) return exception.toTwilioBody();
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const code = HTTP_STATUS_CODES[status] ?? 20500;
      return { code, message: exception.message, more_info: moreInfoUrl(code), status };
    }
    this.logger.error({ err: exception }, 'unhandled error in HTTP handler');
    return {
      code: 20500,
      message: 'Internal Server Error',
      more_info: moreInfoUrl(20500),
      status: 500,
    };
  }

  private rpc(exception: unknown): Observable<never> {
    if (exception instanceof RpcException) return throwError(() => exception.getError());
    if (exception instanceof ParleyError) {
      return throwError(() => ({ code: exception.code, message: exception.message }));
    }
    this.logger.error({ err: exception }, 'unhandled error in NATS handler');
    return throwError(() => ({ code: 'internal', message: 'internal error' }));
  }
}

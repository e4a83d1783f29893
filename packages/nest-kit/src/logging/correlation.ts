import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { type NatsContext } from '@nestjs/microservices';
import { readCorrelationId } from '@parley/contracts';
import { type Request, type Response } from 'express';
import { type MsgHdrs } from 'nats';
import { Observable } from 'rxjs';

interface CorrelationScope {
  correlationId: string;
}

const storage = new AsyncLocalStorage<CorrelationScope>();

/** The correlation id of the work in progress (the CallSid when there is a call). */
export function currentCorrelationId(): string | undefined {
  return storage.getStore()?.correlationId;
}

/** Runs `fn` with `correlationId` attached to every log line and NATS message it causes. */
export function withCorrelationId<T>(correlationId: string, fn: () => T): T {
  return storage.run({ correlationId }, fn);
}

export const CORRELATION_HTTP_HEADER = 'x-correlation-id';
const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Takes the correlation id from the incoming HTTP header or NATS header (or makes one)
 * and runs the handler inside it.
 */
@Injectable()
export class CorrelationInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    let correlationId: string | undefined;
    if (context.getType() === 'http') {
      const req = context.switchToHttp().getRequest<Request>();
      const header = req.headers[CORRELATION_HTTP_HEADER];
      const candidate = Array.isArray(header) ? header[0] : header;
      // An incoming id is echoed in logs: accept only a safe shape.
      correlationId = candidate && SAFE_ID.test(candidate) ? candidate : randomUUID();
      context
        .switchToHttp()
        .getResponse<Response>()
        .setHeader(CORRELATION_HTTP_HEADER, correlationId);
    } else if (context.getType() === 'rpc') {
      const ctx = context.switchToRpc().getContext<NatsContext>();
      correlationId = readCorrelationId(ctx.getHeaders() as MsgHdrs | undefined) ?? randomUUID();
    }
    if (!correlationId) return next.handle();
    const id = correlationId;
    return new Observable((subscriber) =>
      withCorrelationId(id, () => next.handle().subscribe(subscriber)),
    );
  }
}

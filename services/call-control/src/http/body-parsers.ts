import { Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ParleyError, type TwilioErrorBody } from '@parley/contracts';
import { PARLEY_ENV } from '@parley/nest-kit';
import express, {
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';
import { type CallControlEnv } from '../config/env.schema';
import { type ParleyRequest } from '../auth/principal';

/**
 * The service's own body parsers, registered on the HTTP adapter while providers are
 * created, i.e. before NestJS adds its defaults. They carry the same names as Nest's
 * (`jsonParser`, `urlencodedParser`), so Nest sees them applied and adds none. They:
 * - keep the exact bytes of JSON bodies (`req.rawBody`): Meta's X-Hub-Signature-256 is an
 *   HMAC of those bytes;
 * - parse forms like Twilio: repeated keys become arrays, no nested-object syntax;
 * - enforce one size limit and answer violations with a Twilio-style error body.
 */
@Injectable()
export class BodyParsers {
  constructor(host: HttpAdapterHost, @Inject(PARLEY_ENV) env: CallControlEnv) {
    const app = host.httpAdapter.getInstance<express.Express>();
    const limit = env.HTTP_BODY_LIMIT_BYTES;
    const json = express.json({
      limit,
      type: ['application/json', 'application/*+json'],
      verify: (req, _res, buf) => {
        (req as ParleyRequest).rawBody = Buffer.from(buf);
      },
    });
    const form = express.urlencoded({ limit, extended: false, parameterLimit: 1_000 });
    app.use(named('jsonParser', guarded(json, limit)));
    app.use(named('urlencodedParser', guarded(form, limit)));
  }
}

function named(name: string, handler: RequestHandler): RequestHandler {
  Object.defineProperty(handler, 'name', { value: name });
  return handler;
}

function guarded(parser: RequestHandler, limit: number): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    void parser(req, res, (err?: unknown) => {
      if (!err) return next();
      const type = (err as { type?: unknown }).type;
      const error =
        type === 'entity.too.large'
          ? new ParleyError(20001, `Request body is larger than the limit of ${limit} bytes`, {
              status: 413,
            })
          : type === 'entity.parse.failed'
            ? new ParleyError(20001, 'Request body is not valid JSON')
            : type === 'parameters.too.many'
              ? new ParleyError(20001, 'Too many parameters in the request body')
              : type === 'charset.unsupported' || type === 'encoding.unsupported'
                ? new ParleyError(20001, 'Unsupported request body encoding', { status: 415 })
                : new ParleyError(20001, 'Request body could not be read');
      const body: TwilioErrorBody = error.toTwilioBody();
      res.status(error.status).json(body);
    });
  };
}

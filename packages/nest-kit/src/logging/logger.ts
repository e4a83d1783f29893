import { type LoggerService, type LogLevel } from '@nestjs/common';
import pino, { type Logger } from 'pino';
import { currentCorrelationId } from './correlation';

export type ParleyLogger = Logger;

/** Paths whose values never reach a log line. */
const REDACT = [
  'authToken',
  'auth_token',
  'password',
  'secret',
  'appSecret',
  'accessToken',
  'access_token',
  '*.authToken',
  '*.auth_token',
  '*.password',
  '*.secret',
  '*.appSecret',
  '*.accessToken',
  '*.access_token',
  'headers.authorization',
  '*.headers.authorization',
  'req.headers.authorization',
];

/** Structured JSON logs; each line carries the service, instance and correlation id. */
export function createLogger(opts: {
  service: string;
  instanceId: string;
  level: string;
  destination?: pino.DestinationStream;
}): ParleyLogger {
  return pino(
    {
      level: opts.level,
      base: { service: opts.service, instance: opts.instanceId },
      redact: { paths: REDACT, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin() {
        const correlationId = currentCorrelationId();
        return correlationId ? { correlationId } : {};
      },
    },
    opts.destination,
  );
}

/** NestJS's logger interface on top of pino. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: ParleyLogger) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }
  setLogLevels(_levels: LogLevel[]): void {
    // The level comes from LOG_LEVEL; Nest's own level list is not used.
  }

  private write(level: pino.Level, message: unknown, rest: unknown[]): void {
    // Nest passes the context (class name) last, and for errors a stack before it.
    const context =
      typeof rest[rest.length - 1] === 'string' ? (rest[rest.length - 1] as string) : undefined;
    const stack =
      level === 'error' && typeof rest[0] === 'string' && rest.length > 1 ? rest[0] : undefined;
    if (message instanceof Error) {
      this.logger[level]({ context, err: message }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.logger[level]({ context, ...(message as Record<string, unknown>) });
    } else {
      this.logger[level]({ context, ...(stack ? { stack } : {}) }, String(message));
    }
  }
}

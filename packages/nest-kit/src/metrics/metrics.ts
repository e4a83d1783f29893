import {
  Controller,
  Get,
  Header,
  Inject,
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { type NatsContext } from '@nestjs/microservices';
import { type Request, type Response } from 'express';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { type Observable, tap } from 'rxjs';
import { SERVICE_INFO, type ServiceInfo } from '../tokens';

/** The service's Prometheus registry; features add their own metrics to `registry`. */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly rpcHandled: Counter<'pattern' | 'outcome'>;

  constructor(@Inject(SERVICE_INFO) info: ServiceInfo) {
    this.registry.setDefaultLabels({ service: info.name });
    collectDefaultMetrics({ register: this.registry, prefix: 'parley_' });
    this.httpDuration = new Histogram({
      name: 'parley_http_request_duration_seconds',
      help: 'HTTP requests handled, by route template and status.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
    this.rpcHandled = new Counter({
      name: 'parley_nats_handled_total',
      help: 'NATS commands and events handled, by subject and outcome.',
      labelNames: ['pattern', 'outcome'],
      registers: [this.registry],
    });
  }
}

@Controller()
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get('metrics')
  @Header('Cache-Control', 'no-store')
  async metricsText(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}

/** Times HTTP requests and counts NATS handlers' outcomes. */
@Injectable()
export class MetricsInterceptor implements NestInterceptor {
  constructor(private readonly metrics: MetricsService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() === 'http') {
      const http = context.switchToHttp();
      const req = http.getRequest<Request>();
      const res = http.getResponse<Response>();
      // The route template, not the path, so sids do not explode the label set.
      const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
      const end = this.metrics.httpDuration.startTimer({ method: req.method, route });
      res.once('finish', () => end({ status: String(res.statusCode) }));
      return next.handle();
    }
    if (context.getType() === 'rpc') {
      const pattern = context.switchToRpc().getContext<NatsContext>().getSubject();
      return next.handle().pipe(
        tap({
          complete: () => this.metrics.rpcHandled.inc({ pattern, outcome: 'ok' }),
          error: () => this.metrics.rpcHandled.inc({ pattern, outcome: 'error' }),
        }),
      );
    }
    return next.handle();
  }
}

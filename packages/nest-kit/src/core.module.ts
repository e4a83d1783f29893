import {
  Inject,
  Injectable,
  Module,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, DiscoveryModule } from '@nestjs/core';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import { healthCheckSubject, NatsBus } from '@parley/contracts';
import { type NatsConnection } from 'nats';
import { type DataSource } from 'typeorm';
import { BackgroundTasks } from './background/background-tasks';
import { DurableEventHandlers } from './background/durable-event-handler';
import { PeriodicTasks } from './background/periodic-task';
import { type BaseEnv } from './config/env';
import {
  DatabaseReadinessCheck,
  postgresOptions,
  type ServiceDatabaseConfig,
} from './database/database';
import { healthCommandController } from './health/health-command';
import { HealthReportService } from './health/health-report.service';
import { HealthController } from './health/health.controller';
import { PeerDirectory } from './health/peer-directory';
import { ReadinessRegistry } from './health/readiness';
import { ParleyExceptionFilter } from './http/error-filter';
import { CorrelationInterceptor } from './logging/correlation';
import { type ParleyLogger } from './logging/logger';
import { MetricsController, MetricsInterceptor, MetricsService } from './metrics/metrics';
import { natsProviders } from './nats/nats.providers';
import {
  NATS_CONNECTION,
  PARLEY_ENV,
  PARLEY_LOGGER,
  SERVICE_INFO,
  ShutdownState,
  type ServiceInfo,
} from './tokens';

/** Registers the built-in readiness checks and says goodbye on NATS before shutting down. */
@Injectable()
class CoreLifecycle
  implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(getDataSourceToken()) private readonly dataSource: DataSource,
    @Inject(SERVICE_INFO) private readonly info: ServiceInfo,
    @Inject(PARLEY_LOGGER) private readonly logger: ParleyLogger,
    private readonly bus: NatsBus,
    private readonly readiness: ReadinessRegistry,
    private readonly shutdown: ShutdownState,
    private readonly durableHandlers: DurableEventHandlers,
    private readonly periodic: PeriodicTasks,
    private readonly background: BackgroundTasks,
  ) {}

  onApplicationBootstrap(): void {
    this.readiness.register(new DatabaseReadinessCheck(this.dataSource));
    this.readiness.register({
      name: 'nats',
      check: async () => {
        if (this.nc.isClosed()) return { ok: false, detail: 'connection closed' };
        // A flush round-trips to the server; while reconnecting it waits, and the
        // registry's timeout turns that into "not ready".
        await this.nc.flush();
        return { ok: true };
      },
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (!this.nc.isClosed()) {
      try {
        this.bus.publish('ops.v1.service.stopping', {
          service: this.info.name,
          instanceId: this.info.instanceId,
          reason: this.shutdown.signal ?? 'close',
          stoppingAt: new Date().toISOString(),
        });
      } catch (error) {
        this.logger.warn({ err: error }, 'could not announce shutdown');
      }
    }
    // Background work still uses the database and NATS: it ends here, before the NATS
    // transport closes and before any module's onApplicationShutdown (TypeORM's closes
    // the database, and may run before this module's).
    await this.durableHandlers.stopAll();
    await this.periodic.stopAll();
    await this.background.drain();
  }

  async onApplicationShutdown(): Promise<void> {
    // Work that commands handled during the transport's close started (rare): a short wait.
    await this.background.drain(1_000);
    // Drain: deliver what is buffered, finish in-flight handlers, then close.
    if (!this.nc.isClosed()) await this.nc.drain().catch(() => this.nc.close());
  }
}

export interface CoreModuleOptions {
  info: ServiceInfo;
  env: BaseEnv;
  logger: ParleyLogger;
  database: ServiceDatabaseConfig;
}

@Module({})
export class ParleyCoreModule {
  static forRoot(opts: CoreModuleOptions): DynamicModule {
    const HealthCommandController = healthCommandController(healthCheckSubject(opts.info.name));
    return {
      module: ParleyCoreModule,
      global: true,
      imports: [
        DiscoveryModule,
        TypeOrmModule.forRoot({
          ...postgresOptions({
            url: opts.env.DATABASE_URL,
            applicationName: `${opts.info.name}/${opts.info.instanceId}`,
            poolMax: opts.env.DATABASE_POOL_MAX,
            database: opts.database,
          }),
          retryAttempts: 5,
          retryDelay: 2_000,
        }),
      ],
      controllers: [HealthController, MetricsController, HealthCommandController],
      providers: [
        { provide: PARLEY_ENV, useValue: opts.env },
        { provide: SERVICE_INFO, useValue: opts.info },
        { provide: PARLEY_LOGGER, useValue: opts.logger },
        ...natsProviders,
        ReadinessRegistry,
        HealthReportService,
        PeerDirectory,
        MetricsService,
        CoreLifecycle,
        ShutdownState,
        PeriodicTasks,
        BackgroundTasks,
        DurableEventHandlers,
        { provide: APP_INTERCEPTOR, useClass: CorrelationInterceptor },
        { provide: APP_INTERCEPTOR, useClass: MetricsInterceptor },
        { provide: APP_FILTER, useClass: ParleyExceptionFilter },
      ],
      exports: [
        PARLEY_ENV,
        SERVICE_INFO,
        PARLEY_LOGGER,
        NATS_CONNECTION,
        NatsBus,
        ReadinessRegistry,
        HealthReportService,
        PeerDirectory,
        MetricsService,
        ShutdownState,
        PeriodicTasks,
        BackgroundTasks,
        DurableEventHandlers,
      ],
    };
  }
}

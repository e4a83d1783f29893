import 'reflect-metadata';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { Module, type DynamicModule, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type MicroserviceOptions } from '@nestjs/microservices';
import { NatsBus, type ServiceName } from '@parley/contracts';
import { type z } from 'zod';
import { ConfigError, loadEnv, type BaseEnv } from './config/env';
import { ParleyCoreModule } from './core.module';
import { HealthController } from './health/health.controller';
import { MetricsService } from './metrics/metrics';
import { type ServiceDatabaseConfig } from './database/database';
import { createLogger, PinoNestLogger, type ParleyLogger } from './logging/logger';
import { NamespacedNatsServer } from './nats/namespaced-nats.server';
import { natsConnectionOptions } from './nats/nats.providers';
import { ShutdownState, type ServiceInfo } from './tokens';

type ModuleImport = Type<unknown> | DynamicModule;

/** Everything that makes a service what it is; `main.ts` passes it to `runService`. */
export interface ServiceDefinition<E extends BaseEnv> {
  name: ServiceName;
  version: string;
  envSchema: z.ZodType<E, z.ZodTypeDef, unknown>;
  database: ServiceDatabaseConfig;
  /** The service's feature modules, given its parsed environment. */
  imports: (env: E) => ModuleImport[];
}

export interface RunningService<E extends BaseEnv> {
  app: INestApplication;
  env: E;
  info: ServiceInfo;
  logger: ParleyLogger;
  /** Base URL of the HTTP listener. */
  url: string;
  /** Base URL of the internal listener (`/metrics`, `/statusz`) when INTERNAL_HTTP_PORT is set. */
  internalUrl: string | undefined;
  close(): Promise<void>;
}

export interface BootstrapOptions {
  /** Environment to read instead of `process.env` (tests). */
  env?: Record<string, string | undefined>;
  /**
   * On SIGTERM/SIGINT, close the app gracefully and exit 0 (a second signal, or a close
   * that outlives the grace period, exits 1). Off for in-process tests.
   */
  handleSignals?: boolean;
}

@Module({})
class ServiceRootModule {}

/**
 * Starts a service: parse the environment (throws ConfigError naming each bad variable),
 * wire logging, PostgreSQL, NATS (typed bus + NestJS transport in the service's queue
 * group, both in the deployment's NATS namespace), health and metrics, listen on HTTP,
 * and announce the instance on NATS.
 * Tests start services through this same function.
 */
export async function bootstrap<E extends BaseEnv>(
  def: ServiceDefinition<E>,
  options: BootstrapOptions = {},
): Promise<RunningService<E>> {
  const env = loadEnv(def.name, def.envSchema, options.env ?? process.env);
  const info: ServiceInfo = {
    name: def.name,
    version: def.version,
    instanceId: env.INSTANCE_ID,
    startedAt: new Date(),
  };
  const logger = createLogger({
    service: def.name,
    instanceId: info.instanceId,
    level: env.LOG_LEVEL,
  });

  const root: DynamicModule = {
    module: ServiceRootModule,
    imports: [
      ParleyCoreModule.forRoot({ info, env, logger, database: def.database }),
      ...def.imports(env),
    ],
  };
  const app = await NestFactory.create(root, {
    logger: new PinoNestLogger(logger),
    abortOnError: false,
  });
  try {
    app.connectMicroservice<MicroserviceOptions>(
      {
        strategy: new NamespacedNatsServer(
          {
            ...natsConnectionOptions(env, `${def.name}/${info.instanceId}/transport`),
            // One queue group per service: each command or event is handled by one replica.
            queue: def.name,
          },
          env.PARLEY_NATS_NAMESPACE,
          // On close, unsubscribe first, then wait for the handlers already running (their
          // replies must go out) up to the shutdown grace period, then drain.
          { inFlightGraceMs: env.SHUTDOWN_GRACE_MS },
        ),
      },
      { inheritAppConfig: true },
    );
    await app.startAllMicroservices();
    if (env.INTERNAL_HTTP_PORT !== undefined) hideInternalRoutes(app);
    await app.listen(env.HTTP_PORT, env.HTTP_HOST);
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  let internal: Server | undefined;
  let internalUrl: string | undefined;
  if (env.INTERNAL_HTTP_PORT !== undefined) {
    try {
      internal = await listenInternal(app, env.INTERNAL_HTTP_PORT, env.INTERNAL_HTTP_HOST);
    } catch (error) {
      await app.close().catch(() => undefined);
      throw error;
    }
    const address = internal.address() as AddressInfo;
    internalUrl = `http://${env.INTERNAL_HTTP_HOST}:${address.port}`;
  }
  if (env.NODE_ENV !== 'production') {
    logger.warn(
      { nodeEnv: env.NODE_ENV },
      `${def.name} runs with NODE_ENV=${env.NODE_ENV}: development defaults (such as a publicly known secrets key) may apply; never use it for real data`,
    );
  }
  app.get(NatsBus).publish('ops.v1.service.started', {
    service: def.name,
    instanceId: info.instanceId,
    version: def.version,
    startedAt: info.startedAt.toISOString(),
  });
  if (options.handleSignals ?? true) exitOnSignals(app, env, logger);
  logger.info({ url, internalUrl, version: def.version }, `${def.name} ready`);
  const close = async () => {
    if (internal) {
      const server = internal;
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    }
    await app.close();
  };
  return { app, env, info, logger, url, internalUrl, close };
}

/** Operator-only routes that move to the internal port when it is configured. */
const INTERNAL_ROUTES = new Set(['/metrics', '/statusz']);

/** The public listener answers 404 for the internal routes, as for any unknown path. */
function hideInternalRoutes(app: INestApplication): void {
  app.use(
    (
      req: { path?: string; url?: string },
      res: { status(code: number): { json(body: unknown): void } },
      next: () => void,
    ) => {
      const path = (req.path ?? req.url ?? '').replace(/\/+$/, '');
      if (!INTERNAL_ROUTES.has(path)) return next();
      res
        .status(404)
        .json({ code: 20404, message: 'The requested resource was not found', status: 404 });
    },
  );
}

/** `/metrics` and `/statusz` on their own listener (bind it to a cluster-internal address). */
async function listenInternal(app: INestApplication, port: number, host: string): Promise<Server> {
  const metrics = app.get(MetricsService);
  const health = app.get(HealthController);
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0]?.replace(/\/+$/, '');
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (req.method !== 'GET' || !path || !INTERNAL_ROUTES.has(path)) {
      send(404, 'application/json', JSON.stringify({ code: 20404, status: 404 }));
      return;
    }
    const body =
      path === '/metrics'
        ? metrics.registry.metrics().then((text) => [metrics.registry.contentType, text] as const)
        : health.statusz().then((report) => ['application/json', JSON.stringify(report)] as const);
    body.then(
      ([type, text]) => send(200, type, text),
      () => send(500, 'application/json', JSON.stringify({ code: 20500, status: 500 })),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

function exitOnSignals(app: INestApplication, env: BaseEnv, logger: ParleyLogger): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    app.get(ShutdownState).signal = signal;
    logger.info({ signal, graceMs: env.SHUTDOWN_GRACE_MS }, 'stopping: draining in-flight work');
    const deadline = setTimeout(() => {
      logger.error('shutdown outlived its grace period: exiting');
      process.exit(1);
    }, env.SHUTDOWN_GRACE_MS + 5_000);
    deadline.unref();
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/** The whole of a service's `main.ts`: start, or exit with a clear reason. */
export function runService<E extends BaseEnv>(def: ServiceDefinition<E>): void {
  bootstrap(def).catch((error: unknown) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    process.stderr.write(
      `${def.name}: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  });
}

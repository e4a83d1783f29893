import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import {
  MetricsService,
  PARLEY_ENV,
  PARLEY_LOGGER,
  ReadinessRegistry,
  type ParleyLogger,
} from '@parley/nest-kit';
import { createWorker } from 'mediasoup';
import { type Worker } from 'mediasoup/node/lib/types';
import { Gauge } from 'prom-client';
import { type MediaEnv } from '../config/env.schema';
import { MediasoupResources, type MediasoupCounts } from './mediasoup-resources';
import { splitPortRange } from './port-ranges';

/**
 * One mediasoup Worker per configured core, handed out round robin. A worker that dies
 * takes its calls with it and cannot be trusted to be replaced in place: the process
 * exits so the orchestrator restarts it cleanly. Workers close last on shutdown
 * (`onApplicationShutdown`), after the legs they carry drained.
 */
@Injectable()
export class WorkerPool implements OnModuleInit, OnApplicationShutdown {
  private readonly workers: Worker[] = [];
  private readonly resources = new MediasoupResources();
  private nextIndex = 0;
  private closing = false;

  constructor(
    @Inject(PARLEY_ENV) private readonly env: MediaEnv,
    @Inject(PARLEY_LOGGER) private readonly logger: ParleyLogger,
    private readonly readiness: ReadinessRegistry,
    private readonly metrics: MetricsService,
  ) {}

  async onModuleInit(): Promise<void> {
    const ranges = splitPortRange(
      this.env.MEDIASOUP_RTC_MIN_PORT,
      this.env.MEDIASOUP_RTC_MAX_PORT,
      this.env.MEDIASOUP_NUM_WORKERS,
    );
    for (const range of ranges) {
      const worker = await createWorker({
        logLevel: this.env.MEDIASOUP_LOG_LEVEL,
        rtcMinPort: range.min,
        rtcMaxPort: range.max,
      });
      worker.on('died', (error: Error) => this.onWorkerDied(worker, error));
      this.workers.push(worker);
      this.logger.info(
        { pid: worker.pid, ports: `${range.min}-${range.max}` },
        'mediasoup worker started',
      );
    }
    this.readiness.register({
      name: 'mediasoup',
      check: () => {
        const alive = this.workers.filter((w) => !w.closed).length;
        return Promise.resolve({
          ok: alive === this.workers.length && alive > 0,
          detail: `${alive}/${this.workers.length} workers alive`,
        });
      },
    });
    const workers = this.workers;
    new Gauge({
      name: 'parley_mediasoup_workers_alive',
      help: 'mediasoup workers running in this media instance.',
      registers: [this.metrics.registry],
      collect() {
        this.set(workers.filter((w) => !w.closed).length);
      },
    });
    const resources = this.resources;
    new Gauge({
      name: 'parley_mediasoup_objects',
      help: 'Live mediasoup routers, transports, producers and consumers (leaks show here).',
      labelNames: ['kind'],
      registers: [this.metrics.registry],
      collect() {
        const counts = resources.snapshot();
        for (const kind of ['routers', 'transports', 'producers', 'consumers'] as const) {
          this.set({ kind }, counts[kind]);
        }
      },
    });
  }

  /** Live mediasoup objects of this process. */
  counts(): MediasoupCounts {
    return this.resources.snapshot();
  }

  /** The next worker in round-robin order. */
  next(): Worker {
    const worker = this.workers[this.nextIndex % this.workers.length];
    if (!worker || worker.closed) throw new Error('no mediasoup worker is running');
    this.nextIndex = (this.nextIndex + 1) % this.workers.length;
    return worker;
  }

  get size(): number {
    return this.workers.length;
  }

  onApplicationShutdown(): void {
    this.closing = true;
    for (const w of this.workers) w.close();
    this.resources.dispose();
  }

  private onWorkerDied(worker: Worker, error: Error): void {
    if (this.closing) return;
    this.logger.fatal(
      { pid: worker.pid, err: error },
      'mediasoup worker died: exiting so the process is restarted',
    );
    // Give the log line a moment to flush, then leave with a failure code.
    setTimeout(() => process.exit(1), 100).unref();
  }
}

import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { type ParleyLogger } from '../logging/logger';
import { MetricsService } from '../metrics/metrics';
import { PARLEY_LOGGER } from '../tokens';

/**
 * One run of a periodic task. `signal` aborts when the service stops: a run that loops over
 * many items checks it between items so shutdown does not wait for a whole batch.
 */
export type PeriodicRun = (signal: AbortSignal) => Promise<unknown>;

export interface PeriodicTaskOptions {
  /** Stable, low-cardinality name: the `task` label of the metrics and the logs. */
  name: string;
  everyMs: number;
  run: PeriodicRun;
}

/** What a task reports to; the PeriodicTasks provider wires it to the service's metrics. */
export interface PeriodicTaskObserver {
  logger: ParleyLogger;
  failures: Counter<'task'>;
  duration: Histogram<'task' | 'outcome'>;
}

/**
 * Runs `run` every `everyMs` once started. Overlap-safe: a tick that comes while the
 * previous run is still going is skipped, never queued. A failed run is logged with the
 * task's name and counted; the next tick runs as usual.
 */
export class PeriodicTask {
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<void> | undefined;
  private readonly abort = new AbortController();

  constructor(
    private readonly options: PeriodicTaskOptions,
    private readonly observer: PeriodicTaskObserver,
  ) {
    if (!Number.isFinite(options.everyMs) || options.everyMs <= 0) {
      throw new Error(`periodic task ${options.name}: everyMs must be positive`);
    }
  }

  get name(): string {
    return this.options.name;
  }

  get started(): boolean {
    return this.timer !== undefined;
  }

  get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => void this.tick(), this.options.everyMs);
    // The service's own listeners keep the process alive, not its pollers.
    this.timer.unref();
  }

  /**
   * Runs once now unless a run is already going (then returns that run) or the task is
   * stopped. Never rejects. The interval calls it; tests drive it directly.
   */
  tick(): Promise<void> {
    if (this.current) return this.current;
    if (this.stopped) return Promise.resolve();
    const { name, run } = this.options;
    const endTimer = this.observer.duration.startTimer({ task: name });
    const running = Promise.resolve()
      .then(() => run(this.abort.signal))
      .then(
        () => {
          endTimer({ outcome: 'ok' });
        },
        (error: unknown) => {
          endTimer({ outcome: 'error' });
          this.observer.failures.inc({ task: name });
          this.observer.logger.warn({ err: error, task: name }, `periodic task ${name} failed`);
        },
      )
      .finally(() => {
        this.current = undefined;
      });
    this.current = running;
    return running;
  }

  /** Stops the timer, aborts the signal and waits for the run in progress, if any. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.abort.abort();
    await this.current;
  }
}

/**
 * Registry of the service's periodic tasks. A provider declares its task in its
 * constructor with `every(...)`; every task starts when the application has bootstrapped
 * and stops at shutdown before the NATS connection drains (CoreLifecycle orders it).
 */
@Injectable()
export class PeriodicTasks implements OnApplicationBootstrap {
  private readonly tasks = new Map<string, PeriodicTask>();
  private readonly observer: PeriodicTaskObserver;
  private bootstrapped = false;

  constructor(metrics: MetricsService, @Inject(PARLEY_LOGGER) logger: ParleyLogger) {
    this.observer = {
      logger,
      failures: new Counter({
        name: 'parley_periodic_task_failures_total',
        help: 'Runs of periodic tasks that failed, by task.',
        labelNames: ['task'],
        registers: [metrics.registry],
      }),
      duration: new Histogram({
        name: 'parley_periodic_task_duration_seconds',
        help: 'Runs of periodic tasks, by task and outcome.',
        labelNames: ['task', 'outcome'],
        buckets: [0.005, 0.025, 0.1, 0.5, 1, 5, 30],
        registers: [metrics.registry],
      }),
    };
  }

  /** Declares a task; it starts with the application (at once if that already happened). */
  every(name: string, everyMs: number, run: PeriodicRun): PeriodicTask {
    if (this.tasks.has(name)) throw new Error(`periodic task ${name} is declared twice`);
    const task = new PeriodicTask({ name, everyMs, run }, this.observer);
    this.tasks.set(name, task);
    if (this.bootstrapped) task.start();
    return task;
  }

  onApplicationBootstrap(): void {
    this.bootstrapped = true;
    for (const task of this.tasks.values()) task.start();
  }

  /** Stops every task and waits for the runs in progress. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.tasks.values()].map((task) => task.stop()));
  }
}

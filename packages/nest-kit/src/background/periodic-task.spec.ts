import pino from 'pino';
import { Counter, Histogram, Registry } from 'prom-client';
import { deferred } from '../testing/deferred';
import { PeriodicTask, type PeriodicTaskObserver } from './periodic-task';

function observer(): PeriodicTaskObserver & { registry: Registry; warnings: unknown[] } {
  const registry = new Registry();
  const warnings: unknown[] = [];
  const logger = pino(
    { level: 'warn' },
    { write: (line: string) => warnings.push(JSON.parse(line)) },
  );
  return {
    registry,
    warnings,
    logger,
    failures: new Counter({
      name: 'failures',
      help: 'failures',
      labelNames: ['task'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'duration',
      help: 'duration',
      labelNames: ['task', 'outcome'],
      registers: [registry],
    }),
  };
}

interface Series {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
}

/** One series of a metric (`series` is e.g. `duration_count` for a histogram's count). */
async function metric(
  registry: Registry,
  name: string,
  series: string,
  labels: Record<string, string>,
): Promise<number | undefined> {
  const found = await registry.getSingleMetric(name)?.get();
  const values = (found?.values ?? []) as Series[];
  return values.find(
    (v) =>
      (v.metricName ?? name) === series &&
      Object.entries(labels).every(([k, value]) => v.labels[k] === value),
  )?.value;
}

describe('PeriodicTask', () => {
  afterEach(() => jest.useRealTimers());

  it('runs every period once started, and not before', async () => {
    jest.useFakeTimers();
    const run = jest.fn(() => Promise.resolve());
    const task = new PeriodicTask({ name: 'sweep', everyMs: 1_000, run }, observer());
    jest.advanceTimersByTime(5_000);
    expect(run).not.toHaveBeenCalled();
    task.start();
    await jest.advanceTimersByTimeAsync(3_000);
    expect(run).toHaveBeenCalledTimes(3);
    await task.stop();
    await jest.advanceTimersByTimeAsync(3_000);
    expect(run).toHaveBeenCalledTimes(3);
  });

  it('never starts a run while the previous one is going', async () => {
    jest.useFakeTimers();
    const gate = deferred();
    const run = jest.fn(() => gate.promise);
    const task = new PeriodicTask({ name: 'sweep', everyMs: 1_000, run }, observer());
    task.start();
    await jest.advanceTimersByTimeAsync(5_000);
    expect(run).toHaveBeenCalledTimes(1);
    gate.resolve();
    await task.tick();
    await jest.advanceTimersByTimeAsync(1_000);
    expect(run).toHaveBeenCalledTimes(2);
    await task.stop();
  });

  it('returns the run in progress to a tick that comes during it', async () => {
    const gate = deferred();
    const run = jest.fn(() => gate.promise);
    const task = new PeriodicTask({ name: 'sweep', everyMs: 1_000, run }, observer());
    const first = task.tick();
    const second = task.tick();
    expect(second).toBe(first);
    gate.resolve();
    await first;
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('logs and counts a failed run with its name, then runs again at the next tick', async () => {
    const obs = observer();
    const run = jest
      .fn<Promise<void>, [AbortSignal]>()
      .mockRejectedValueOnce(new Error('database gone'))
      .mockResolvedValueOnce(undefined);
    const task = new PeriodicTask({ name: 'outbox-sweep', everyMs: 1_000, run }, obs);
    await expect(task.tick()).resolves.toBeUndefined();
    await task.tick();
    expect(run).toHaveBeenCalledTimes(2);
    expect(obs.warnings).toHaveLength(1);
    expect(obs.warnings[0]).toMatchObject({
      task: 'outbox-sweep',
      msg: 'periodic task outbox-sweep failed',
      err: { message: 'database gone' },
    });
    expect(await metric(obs.registry, 'failures', 'failures', { task: 'outbox-sweep' })).toBe(1);
    expect(
      await metric(obs.registry, 'duration', 'duration_count', {
        task: 'outbox-sweep',
        outcome: 'error',
      }),
    ).toBe(1);
    expect(
      await metric(obs.registry, 'duration', 'duration_count', {
        task: 'outbox-sweep',
        outcome: 'ok',
      }),
    ).toBe(1);
  });

  it('counts a run that throws synchronously as a failure', async () => {
    const obs = observer();
    const task = new PeriodicTask(
      {
        name: 'sync',
        everyMs: 1_000,
        run: () => {
          throw new Error('boom');
        },
      },
      obs,
    );
    await task.tick();
    expect(await metric(obs.registry, 'failures', 'failures', { task: 'sync' })).toBe(1);
  });

  it('on stop, aborts the signal, waits for the run in progress and runs no more', async () => {
    const gate = deferred();
    let seen: AbortSignal | undefined;
    const run = jest.fn((signal: AbortSignal) => {
      seen = signal;
      return gate.promise;
    });
    const task = new PeriodicTask({ name: 'sweep', everyMs: 1_000, run }, observer());
    void task.tick();
    let stopped = false;
    const stopping = task.stop().then(() => (stopped = true));
    await Promise.resolve();
    expect(seen?.aborted).toBe(true);
    expect(stopped).toBe(false);
    gate.resolve();
    await stopping;
    await task.tick();
    task.start();
    expect(task.started).toBe(false);
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('refuses a period that is not positive', () => {
    const run = () => Promise.resolve();
    expect(() => new PeriodicTask({ name: 'x', everyMs: 0, run }, observer())).toThrow(
      'everyMs must be positive',
    );
  });
});

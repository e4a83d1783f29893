import pino from 'pino';
import { Counter, Histogram, Registry } from 'prom-client';
import { PeriodicTask, type PeriodicTaskObserver } from './periodic-task';

/** A promise the test settles by hand, so a run's duration is under its control. */
function deferred(): { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void } {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

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

/** The value of one series, by metric name (`duration_count` for a histogram's count). */
async function metric(registry: Registry, name: string, labels: Record<string, string>) {
  const values = (await registry.getMetricsAsJSON()).flatMap((m) =>
    m.values.map((v) => ({ ...v, metricName: v.metricName ?? m.name })),
  );
  return values.find(
    (v) =>
      v.metricName === name && Object.entries(labels).every(([k, value]) => v.labels[k] === value),
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
    expect(obs.warnings).toEqual([
      expect.objectContaining({
        task: 'outbox-sweep',
        msg: 'periodic task outbox-sweep failed',
        err: expect.objectContaining({ message: 'database gone' }),
      }),
    ]);
    expect(await metric(obs.registry, 'failures', { task: 'outbox-sweep' })).toBe(1);
    expect(
      await metric(obs.registry, 'duration_count', { task: 'outbox-sweep', outcome: 'error' }),
    ).toBe(1);
    expect(
      await metric(obs.registry, 'duration_count', { task: 'outbox-sweep', outcome: 'ok' }),
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
    expect(await metric(obs.registry, 'failures', { task: 'sync' })).toBe(1);
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

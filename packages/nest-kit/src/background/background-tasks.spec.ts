import pino from 'pino';
import { deferred } from '../testing/deferred';
import { type BaseEnv } from '../config/env';
import { BackgroundTasks } from './background-tasks';

function tracker(graceMs = 10_000): { tasks: BackgroundTasks; logs: Record<string, unknown>[] } {
  const logs: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'warn' },
    { write: (line: string) => logs.push(JSON.parse(line) as Record<string, unknown>) },
  );
  const env = { SHUTDOWN_GRACE_MS: graceMs } as BaseEnv;
  return { tasks: new BackgroundTasks(env, logger), logs };
}

describe('BackgroundTasks', () => {
  afterEach(() => jest.useRealTimers());

  it('forgets work once it settled', async () => {
    const { tasks } = tracker();
    const work = deferred();
    tasks.track(work.promise, 'dial CA1');
    expect(tasks.size).toBe(1);
    work.resolve();
    await expect(tasks.drain()).resolves.toEqual([]);
    expect(tasks.size).toBe(0);
  });

  it('drain waits for tracked work, including work tracked while it waits', async () => {
    const { tasks } = tracker();
    const first = deferred();
    const second = deferred();
    tasks.track(first.promise, 'first');
    let drained = false;
    const draining = tasks.drain().then((left) => {
      drained = true;
      return left;
    });
    tasks.track(second.promise, 'second');
    first.resolve();
    await first.promise;
    await Promise.resolve();
    expect(drained).toBe(false);
    second.resolve();
    await expect(draining).resolves.toEqual([]);
  });

  it('logs a rejection with its label instead of leaving it unhandled', async () => {
    const { tasks, logs } = tracker();
    tasks.track(Promise.reject(new Error('Graph down')), 'webhook 42');
    await tasks.drain();
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({
      task: 'webhook 42',
      msg: 'webhook 42 failed',
      err: { message: 'Graph down' },
    });
  });

  it('gives up after the grace period and names what is still running', async () => {
    jest.useFakeTimers();
    const { tasks, logs } = tracker(5_000);
    const stuck = deferred();
    tasks.track(stuck.promise, 'dial CA1');
    tasks.track(Promise.resolve(), 'quick');
    const draining = tasks.drain();
    await jest.advanceTimersByTimeAsync(5_000);
    await expect(draining).resolves.toEqual(['dial CA1']);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({
      still: ['dial CA1'],
      graceMs: 5_000,
      msg: 'shutdown stopped waiting for background work still running',
    });
    stuck.resolve();
  });
});

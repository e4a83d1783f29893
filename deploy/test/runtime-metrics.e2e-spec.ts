import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createTestDatabase,
  createTestNatsNamespace,
  type TestDatabase,
  type TestNatsNamespace,
} from '@parley/nest-kit/testing';
import {
  exposedSeries,
  metricNamesIn,
  PROMETHEUS_SERIES,
  type MetricType,
} from './support/metrics';
import { deployQueries } from './support/observability';
import { migrateService, startService, type RunningService } from './support/processes';
import { serviceNames } from './support/repo';

/**
 * The source scan (observability.spec.ts) finds metrics by reading the code; this runs the
 * built services and reads what their /metrics really expose, so a metric registered in a
 * class that no module provides (or a renamed one) fails here: every series the alerts and
 * dashboards query must be served by a running service.
 */
describe('the running services expose every metric the alerts and dashboards use', () => {
  let db: TestDatabase;
  let nats: TestNatsNamespace;
  let recordingsDir: string;
  const running: RunningService[] = [];
  const exposed = new Map<string, { type: MetricType; services: Set<string> }>();

  beforeAll(async () => {
    db = await createTestDatabase('deploy_metrics');
    nats = await createTestNatsNamespace('deploy_metrics');
    recordingsDir = await mkdtemp(join(tmpdir(), 'parley-deploy-metrics-'));
    const env: Record<string, string> = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      DATABASE_URL: db.url,
      ...nats.env,
      SHUTDOWN_GRACE_MS: '2000',
      MEDIASOUP_NUM_WORKERS: '1',
      RECORDINGS_DIR: recordingsDir,
      ...(process.env.MEDIASOUP_WORKER_BIN
        ? { MEDIASOUP_WORKER_BIN: process.env.MEDIASOUP_WORKER_BIN }
        : {}),
    };
    for (const name of serviceNames()) {
      await migrateService(name, { DATABASE_URL: db.url });
      running.push(await startService(name, env));
    }
    for (const service of running) {
      const res = await fetch(`${service.url}/metrics`);
      expect(res.status).toBe(200);
      for (const m of (await res.text()).matchAll(
        /^# TYPE (\S+) (counter|gauge|histogram|summary)$/gm,
      )) {
        const name = m[1] as string;
        const entry = exposed.get(name) ?? {
          type: m[2] as MetricType,
          services: new Set<string>(),
        };
        entry.services.add(service.name);
        exposed.set(name, entry);
      }
    }
  }, 480_000);

  afterAll(async () => {
    await Promise.all(running.map((s) => s.stop()));
    await nats?.drop();
    await db?.drop();
    if (recordingsDir) await rm(recordingsDir, { recursive: true, force: true });
  }, 60_000);

  it('serves /metrics from every service, each labelled with its name', () => {
    expect(running.map((s) => s.name)).toEqual(serviceNames());
    for (const name of [
      'parley_process_start_time_seconds',
      'parley_http_request_duration_seconds',
    ]) {
      expect([...(exposed.get(name)?.services ?? [])].sort()).toEqual([...serviceNames()].sort());
    }
  });

  it.each(deployQueries().map((q) => [q.where, q.expr] as const))('%s', (_where, expr) => {
    const series = exposedSeries(new Map([...exposed].map(([name, { type }]) => [name, { type }])));
    const missing = metricNamesIn(expr).filter((n) => !series.has(n) && !PROMETHEUS_SERIES.has(n));
    expect(missing).toEqual([]);
  });
});

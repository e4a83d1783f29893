import { randomBytes } from 'node:crypto';
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
import { alertRules, deployQueries } from './support/observability';
import {
  migrateService,
  startPrometheus,
  startService,
  type RunningService,
} from './support/processes';
import { ROOT, serviceNames } from './support/repo';

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
  let prometheus: Awaited<ReturnType<typeof startPrometheus>> | undefined;

  beforeAll(async () => {
    db = await createTestDatabase('deploy_metrics');
    nats = await createTestNatsNamespace('deploy_metrics');
    recordingsDir = await mkdtemp(join(tmpdir(), 'parley-deploy-metrics-'));
    const env: Record<string, string> = {
      // As the images run them (the manifests set the same).
      NODE_ENV: 'production',
      PARLEY_SECRETS_KEY: randomBytes(32).toString('base64'),
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
    prometheus = await startPrometheus({
      targets: running.map((s) => ({ job: `parley-${s.name}`, url: s.url })),
      ruleFiles: [join(ROOT, 'deploy/prometheus/alerts.yaml')],
      dataDir: recordingsDir,
    });
  }, 480_000);

  afterAll(async () => {
    await prometheus?.stop();
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

  describe('a real Prometheus scraping them', () => {
    type Vector = { metric: Record<string, string>; value: [number, string] }[];
    async function query(
      expr: string,
    ): Promise<{ status: string; error?: string; data?: { result: Vector } }> {
      const res = await fetch(
        `${prometheus?.url ?? ''}/api/v1/query?query=${encodeURIComponent(expr)}`,
      );
      return (await res.json()) as { status: string; error?: string; data?: { result: Vector } };
    }
    /** Polls until `probe` returns a value (a state Prometheus reaches after a few scrapes). */
    async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const value = await probe();
        if (value !== undefined) return value;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }

    it('scrapes every service under the job names the rules expect', async () => {
      const up = await until('every target up', async () => {
        const r = (await query('up')).data?.result ?? [];
        return r.length === running.length && r.every((s) => s.value[1] === '1') ? r : undefined;
      });
      expect(up.map((s) => s.metric.job).sort()).toEqual(
        serviceNames()
          .map((n) => `parley-${n}`)
          .sort(),
      );
    });

    it('evaluates every alert rule without error, and a healthy idle system raises none', async () => {
      type RuleState = {
        name: string;
        health: string;
        lastError?: string;
        state?: string;
        lastEvaluation: string;
      };
      // Rules evaluated before the first scrapes see nothing (absent() is true then): judge
      // the evaluations that follow every target being up.
      await until('every target up', async () => {
        const r = (await query('up')).data?.result ?? [];
        return r.length === running.length && r.every((x) => x.value[1] === '1') ? r : undefined;
      });
      const since = Date.now();
      const rules = await until('every rule evaluated after the targets were up', async () => {
        const res = (await (await fetch(`${prometheus?.url ?? ''}/api/v1/rules`)).json()) as {
          data: { groups: { rules: RuleState[] }[] };
        };
        const all = res.data.groups.flatMap((g) => g.rules);
        return all.length > 0 && all.every((r) => Date.parse(r.lastEvaluation) > since)
          ? all
          : undefined;
      });
      expect(rules).toHaveLength(alertRules().length);
      expect(
        rules.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.lastError ?? ''}`),
      ).toEqual([]);
      expect(
        rules.filter((r) => r.state !== 'inactive').map((r) => `${r.name}: ${r.state ?? ''}`),
      ).toEqual([]);
    });

    it.each(deployQueries().map((q) => [q.where, q.expr] as const))(
      'runs %s',
      async (_where, expr) => {
        const r = await query(expr);
        expect({ status: r.status, error: r.error }).toEqual({
          status: 'success',
          error: undefined,
        });
      },
    );

    /** Panels whose series exist on any running system, busy or idle. */
    const ALWAYS_DATA = [
      'overview.json: Instances up',
      'overview.json: Process CPU by service',
      'overview.json: Resident memory by instance',
      'overview.json: Event loop lag p99',
      'overview.json: HTTP requests by service and status',
      'overview.json: Status outbox: pending events and oldest age',
      'media.json: mediasoup workers alive',
      'media.json: rtpengine sessions (-1: rtpengine does not answer)',
      'media.json: mediasoup objects by kind',
      'media.json: Media process CPU (Node; the workers and rtpengine are separate processes)',
      'media.json: Media memory',
      'messaging.json: Status outbox pending events',
      'messaging.json: Status outbox oldest event age',
      'webhooks.json: Backlog (recorded, not delivered or failed yet)',
      // Every service with durable consumers reports them from the start.
      'nats.json: Messages waiting per consumer (not delivered yet)',
      'nats.json: Delivered, not acknowledged, per consumer',
      'nats.json: Recording completions waiting for JetStream',
      "nats.json: Status events waiting in call-control's outbox",
      'nats.json: Consumers reporting, per service',
    ];
    it.each(
      deployQueries()
        .filter((q) => ALWAYS_DATA.includes(q.where))
        .map((q) => [q.where, q.expr] as const),
    )('returns data for %s', async (_where, expr) => {
      const result = await until(`data for ${expr}`, async () => {
        const r = (await query(expr)).data?.result ?? [];
        return r.length > 0 ? r : undefined;
      });
      expect(result.length).toBeGreaterThan(0);
    });
  });
});

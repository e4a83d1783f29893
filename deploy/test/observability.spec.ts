import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import {
  exposedSeries,
  metricNamesIn,
  PROMETHEUS_SERIES,
  registeredMetrics,
} from './support/metrics';
import { alertRules, dashboards, grafanaToPromql, panelsOf } from './support/observability';
import { readText, ROOT } from './support/repo';

const rules = alertRules();
const boards = dashboards();

function promtool(...args: string[]): string {
  try {
    return execFileSync('promtool', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const e = error as { code?: string; stdout?: string; stderr?: string; message: string };
    if (e.code === 'ENOENT')
      throw new Error('promtool is not installed: ./dev test installs it (Debian: prometheus)');
    throw new Error(`promtool ${args.join(' ')}:\n${e.stdout ?? ''}${e.stderr ?? e.message}`);
  }
}

describe('metrics the code registers', () => {
  const metrics = registeredMetrics();
  const series = exposedSeries(metrics);

  it('are found by reading the code (nest-kit, features and prom-client defaults)', () => {
    for (const name of [
      'parley_http_request_duration_seconds',
      'parley_nats_handled_total',
      'parley_webhook_deliveries_total',
      'parley_calls_ended_total',
      'parley_mediasoup_workers_alive',
      'parley_process_start_time_seconds',
      'parley_nodejs_eventloop_lag_p99_seconds',
    ]) {
      expect(metrics.has(name) ? name : `${name} (not registered)`).toBe(name);
    }
    expect(metrics.get('parley_call_setup_seconds')?.type).toBe('histogram');
    expect(series.has('parley_call_setup_seconds_bucket')).toBe(true);
  });

  it('tells a misspelt metric from a real one (the check can fail)', () => {
    expect(
      metricNamesIn('sum by (kind) (rate(parley_webhook_deliverys_total{outcome="failed"}[5m]))'),
    ).toEqual(['parley_webhook_deliverys_total']);
    expect(series.has('parley_webhook_deliverys_total')).toBe(false);
  });

  it.each(rules.map((r) => [r.alert ?? r.record ?? '?', r.expr] as const))(
    'alert %s uses only registered metrics',
    (_name, expr) => {
      const names = metricNamesIn(expr);
      expect(names.length).toBeGreaterThan(0);
      expect(names.filter((n) => !series.has(n) && !PROMETHEUS_SERIES.has(n))).toEqual([]);
    },
  );

  const panelQueries = boards.flatMap(({ file, json }) =>
    panelsOf(json.panels).flatMap((p) =>
      (p.targets ?? []).map(
        (t) => [`${file.replace('deploy/grafana/', '')}: ${p.title}`, t.expr] as const,
      ),
    ),
  );
  it.each(panelQueries)('panel %s uses only registered metrics', (_title, expr) => {
    const names = metricNamesIn(grafanaToPromql(expr));
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((n) => !series.has(n) && !PROMETHEUS_SERIES.has(n))).toEqual([]);
  });

  it('has every alert explained in the operations runbook', () => {
    const runbook = readText('docs/operations.md');
    for (const rule of rules) {
      const anchor = rule.annotations?.runbook ?? '';
      expect(anchor).toBe(`docs/operations.md#${(rule.alert ?? '').toLowerCase()}`);
      expect(runbook).toContain(`### ${rule.alert ?? ''}`);
    }
  });
});

describe('Prometheus checks them (promtool)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-promtool-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts the alert rules', () => {
    expect(promtool('check', 'rules', resolve(ROOT, 'deploy/prometheus/alerts.yaml'))).toMatch(
      new RegExp(`SUCCESS: ${rules.length} rules found`),
    );
  });

  it('fires each tested alert on its series and stays quiet on healthy ones', () => {
    expect(promtool('test', 'rules', resolve(ROOT, 'deploy/prometheus/alerts.test.yaml'))).toMatch(
      /SUCCESS/,
    );
  });

  it('parses every dashboard query (as recording rules)', () => {
    const groups = boards.map(({ json }) => ({
      name: json.uid,
      rules: panelsOf(json.panels).flatMap((p, i) =>
        (p.targets ?? []).map((t, j) => ({
          record: `dashboard:${json.uid.replace(/-/g, '_')}:${i}_${j}`,
          expr: grafanaToPromql(t.expr),
        })),
      ),
    }));
    const file = join(dir, 'dashboards.rules.yaml');
    writeFileSync(file, stringify({ groups }));
    const count = groups.reduce((n, g) => n + g.rules.length, 0);
    expect(promtool('check', 'rules', file)).toMatch(new RegExp(`SUCCESS: ${count} rules found`));
  });

  it('rejects a broken query (the check can fail)', () => {
    const file = join(dir, 'broken.rules.yaml');
    writeFileSync(
      file,
      stringify({
        groups: [
          {
            name: 'x',
            rules: [
              { record: 'x:y', expr: 'sum(rate(parley_http_request_duration_seconds_count[5m]' },
            ],
          },
        ],
      }),
    );
    expect(() => promtool('check', 'rules', file)).toThrow(/promtool check rules/);
  });

  it('has unique dashboard uids and titles', () => {
    expect(new Set(boards.map((d) => d.json.uid)).size).toBe(boards.length);
    expect(new Set(boards.map((d) => d.json.title)).size).toBe(boards.length);
    for (const d of boards)
      expect(readFileSync(resolve(ROOT, d.file), 'utf8')).not.toContain('"expr": ""');
  });
});

import { collectDefaultMetrics, Registry } from 'prom-client';
import { filesUnder, readText } from './repo';

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary';

/**
 * The metrics the code registers, found by reading it: every `new Counter|Gauge|Histogram|
 * Summary({ name: '...' })` in packages/ and services/ (tests excluded), and prom-client's
 * default metrics under the prefix nest-kit gives `collectDefaultMetrics`.
 */
export function registeredMetrics(): Map<string, { type: MetricType; file: string }> {
  const found = new Map<string, { type: MetricType; file: string }>();
  const sources = [...filesUnder('packages', isSource), ...filesUnder('services', isSource)];
  const registration =
    /new (Counter|Gauge|Histogram|Summary)\s*(?:<[^>]*>)?\(\s*\{\s*name:\s*'([a-z_:][a-z0-9_:]*)'/g;
  let defaultPrefix: string | undefined;
  for (const file of sources) {
    const text = readText(file);
    for (const m of text.matchAll(registration)) {
      found.set(m[2] as string, { type: (m[1] as string).toLowerCase() as MetricType, file });
    }
    const defaults = /collectDefaultMetrics\(\{[^}]*prefix:\s*'([a-z_]*)'/.exec(text);
    if (defaults) defaultPrefix = defaults[1];
  }
  if (defaultPrefix !== undefined) {
    // prom-client's own list, asked of prom-client itself (its names change between versions).
    const registry = new Registry();
    collectDefaultMetrics({ register: registry, prefix: defaultPrefix });
    for (const metric of registry.getMetricsAsArray()) {
      const type = (metric as unknown as { type: string }).type as MetricType;
      found.set(metric.name, { type, file: 'prom-client collectDefaultMetrics' });
    }
    registry.clear();
  }
  return found;
}

function isSource(name: string): boolean {
  return name.endsWith('.ts') && !name.endsWith('.spec.ts') && !name.endsWith('.int-spec.ts');
}

/** The series names a registered metric exposes (histograms: _bucket, _sum, _count). */
export function exposedSeries(metrics: Map<string, { type: MetricType }>): Set<string> {
  const series = new Set<string>();
  for (const [name, { type }] of metrics) {
    series.add(name);
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) series.add(name + s);
    if (type === 'summary') for (const s of ['_sum', '_count']) series.add(name + s);
  }
  return series;
}

/** Series Prometheus makes itself for every target. */
export const PROMETHEUS_SERIES = new Set([
  'up',
  'scrape_duration_seconds',
  'scrape_samples_scraped',
]);

const PROMQL_WORDS = new Set([
  'sum',
  'min',
  'max',
  'avg',
  'count',
  'stddev',
  'stdvar',
  'topk',
  'bottomk',
  'quantile',
  'count_values',
  'group',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'offset',
  'bool',
  'rate',
  'irate',
  'increase',
  'delta',
  'idelta',
  'changes',
  'resets',
  'absent',
  'absent_over_time',
  'histogram_quantile',
  'label_replace',
  'label_join',
  'vector',
  'scalar',
  'time',
  'clamp_min',
  'clamp_max',
  'abs',
  'ceil',
  'floor',
  'round',
  'sort',
  'sort_desc',
  'avg_over_time',
  'max_over_time',
  'min_over_time',
  'sum_over_time',
  'count_over_time',
  'last_over_time',
  'le',
  'inf',
  'nan',
]);

/**
 * The metric names a PromQL expression selects: identifiers outside `{...}` label matchers,
 * strings and `by (...)`/`on (...)` label lists that are not PromQL's own words.
 */
export function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '{}')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '$1()')
    .replace(/\[[^\]]*\]/g, '[]');
  const names = new Set<string>();
  for (const m of stripped.matchAll(/(?<![\w.$])([a-zA-Z_:][a-zA-Z0-9_:]*)\b/g)) {
    const word = m[1] as string;
    if (PROMQL_WORDS.has(word.toLowerCase())) continue;
    names.add(word);
  }
  return [...names];
}

import { filesUnder, parseYamlDocuments, readText } from './repo';

export interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  annotations?: Record<string, string>;
}
export interface Panel {
  title: string;
  targets?: { expr: string }[];
  panels?: Panel[];
}
export interface Dashboard {
  file: string;
  json: { uid: string; title: string; panels: Panel[] };
}

/** The rules of deploy/prometheus/alerts.yaml. */
export function alertRules(): Rule[] {
  const alerts = parseYamlDocuments(
    readText('deploy/prometheus/alerts.yaml'),
    'alerts.yaml',
  )[0] as {
    groups: { name: string; rules: Rule[] }[];
  };
  return alerts.groups.flatMap((g) => g.rules);
}

/** The dashboards of deploy/grafana. */
export function dashboards(): Dashboard[] {
  return filesUnder('deploy/grafana', (n) => n.endsWith('.json')).map((file) => ({
    file,
    json: JSON.parse(readText(file)) as Dashboard['json'],
  }));
}

export const panelsOf = (panels: Panel[]): Panel[] =>
  panels.flatMap((p) => [p, ...panelsOf(p.panels ?? [])]);

/** Grafana's variables, replaced the way Grafana would before Prometheus sees the query. */
export function grafanaToPromql(expr: string): string {
  return expr
    .replace(/\$__rate_interval|\$__interval|\$__range/g, '5m')
    .replace(/\$\{?instance\}?/g, '.*');
}

/** Every PromQL expression of the alerts and the dashboards' panels, with where it is. */
export function deployQueries(): { where: string; expr: string }[] {
  return [
    ...alertRules().map((r) => ({ where: `alert ${r.alert ?? r.record ?? '?'}`, expr: r.expr })),
    ...dashboards().flatMap(({ file, json }) =>
      panelsOf(json.panels).flatMap((p) =>
        (p.targets ?? []).map((t) => ({
          where: `${file.replace('deploy/grafana/', '')}: ${p.title}`,
          expr: grafanaToPromql(t.expr),
        })),
      ),
    ),
  ];
}

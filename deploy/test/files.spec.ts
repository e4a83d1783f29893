import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { filesUnder, parseYamlDocuments, ROOT, renderKustomization } from './support/repo';

describe('deploy/ files', () => {
  const yamlFiles = filesUnder('deploy', (n) => /\.ya?ml$/.test(n));
  const jsonFiles = filesUnder(
    'deploy',
    (n) => n.endsWith('.json') && n !== 'package.json' && !n.startsWith('tsconfig'),
  );

  it('has the YAML and JSON this suite checks', () => {
    expect(yamlFiles).toEqual(
      expect.arrayContaining([
        'deploy/compose.yaml',
        'deploy/kubernetes/base/kustomization.yaml',
        'deploy/prometheus/alerts.yaml',
        'deploy/prometheus/alerts.test.yaml',
      ]),
    );
    expect(jsonFiles.filter((f) => f.startsWith('deploy/grafana/')).length).toBeGreaterThanOrEqual(
      4,
    );
  });

  it.each(yamlFiles)('%s parses', (file) => {
    const docs = parseYamlDocuments(readFileSync(resolve(ROOT, file), 'utf8'), file);
    expect(docs.filter((d) => d !== null).length).toBeGreaterThan(0);
  });

  it.each(jsonFiles)('%s parses', (file) => {
    expect(() => JSON.parse(readFileSync(resolve(ROOT, file), 'utf8')) as unknown).not.toThrow();
  });

  it.each([
    'deploy/kubernetes/base',
    'deploy/kubernetes/overlays/dev',
    'deploy/kubernetes/overlays/production',
  ])('%s renders with kubectl kustomize', (dir) => {
    const objects = renderKustomization(dir);
    expect(
      objects.every((o) => typeof o.kind === 'string' && typeof o.metadata.name === 'string'),
    ).toBe(true);
    expect(objects.filter((o) => o.kind === 'Deployment')).toHaveLength(5);
  });
});

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** The top of the checkout. */
export const ROOT = resolve(__dirname, '../../..');
export const DEPLOY = join(ROOT, 'deploy');

export function readText(path: string): string {
  return readFileSync(resolve(ROOT, path), 'utf8');
}

/** The services, as `./dev` knows them (its SERVICES array): the one list everything follows. */
export function serviceNames(): string[] {
  const match = /readonly SERVICES=\(([^)]*)\)/.exec(readText('dev'));
  if (!match?.[1]) throw new Error('./dev has no SERVICES array');
  return match[1].trim().split(/\s+/);
}

/** Every file under `dir` (relative to the checkout) whose name passes `accept`. */
export function filesUnder(dir: string, accept: (name: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (abs: string): void => {
    for (const name of readdirSync(abs)) {
      if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
      const path = join(abs, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (accept(name)) out.push(relative(ROOT, path));
    }
  };
  walk(resolve(ROOT, dir));
  return out.sort();
}

/** Every YAML document of a text, with YAML's own errors (anchors and merge keys resolved). */
export function parseYamlDocuments(text: string, source: string): unknown[] {
  return parseAllDocuments(text, { merge: true }).map((doc) => {
    if (doc.errors.length > 0) {
      throw new Error(`${source}: ${doc.errors.map((e) => e.message).join('; ')}`);
    }
    return doc.toJS({ maxAliasCount: 1000 }) as unknown;
  });
}

/** A Kubernetes object as rendered (only what the tests read is typed). */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [key: string]: unknown;
}

/** `kubectl kustomize <dir>`: the manifests an operator would apply. */
export function renderKustomization(dir: string): K8sObject[] {
  let out: string;
  try {
    out = execFileSync('kubectl', ['kustomize', resolve(ROOT, dir)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    const e = error as { code?: string; stderr?: string; message: string };
    if (e.code === 'ENOENT') {
      throw new Error(
        'kubectl is not installed: ./dev test installs it (Debian: kubernetes-client)',
      );
    }
    throw new Error(`kubectl kustomize ${dir} failed: ${e.stderr ?? e.message}`);
  }
  return parseYamlDocuments(out, dir).filter((d): d is K8sObject => d !== null);
}

export function asRecord(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${what} is not an object`);
  }
  return value as Record<string, unknown>;
}

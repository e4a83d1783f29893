#!/usr/bin/env node
// Fails when the top-level folders of a package's src/ import each other in a cycle.
//
//   node scripts/folder-cycles.mjs [package-dir...]   (default: the current directory)
//
// A file-level cycle check (import/no-cycle) misses the cycles that matter for structure:
// calls/a.ts -> recordings/b.ts and recordings/c.ts -> calls/d.ts is no file cycle, yet the
// two folders can no longer be understood, tested or moved apart. So every file is
// collapsed to its top-level folder under src/ (a file directly in src/, such as service.ts
// or index.ts, is a node of its own) and the folder graph must have no strongly connected
// component larger than one folder. Test files (*.spec.ts, *.int-spec.ts) are left out: they
// may reach for any harness. Only relative imports are followed; other packages are
// checked on their own.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

const isTestFile = (file) => /\.(int-)?spec\.ts$/.test(file);
const isSource = (file) => /\.(ts|tsx|mts|cts)$/.test(file) && !isTestFile(file);

function listSources(dir) {
  const files = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files.push(...listSources(path));
    else if (isSource(name)) files.push(path);
  }
  return files;
}

// The specifier as TypeScript (moduleResolution node16/bundler) would find it on disk.
function resolveImport(fromFile, specifier) {
  const base = resolve(dirname(fromFile), specifier.replace(/\.(m|c)?js$/, ''));
  const candidates = [
    `${base}.ts`,
    `${base}.tsx`,
    `${base}.d.ts`,
    join(base, 'index.ts'),
    join(base, 'index.d.ts'),
  ];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}

function folderOf(srcDir, file) {
  const [first, ...rest] = relative(srcDir, file).split(sep);
  return rest.length === 0 ? first : `${first}/`;
}

/** Checks one package; prints its cycles and returns false when it has any. */
function checkPackage(packageDir) {
  const srcDir = join(packageDir, 'src');
  if (!existsSync(srcDir)) return true;
  /** folder -> folder -> one example "from.ts -> to.ts" that makes the edge. */
  const edges = new Map();
  for (const file of listSources(srcDir)) {
    const from = folderOf(srcDir, file);
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const ref of info.importedFiles) {
      if (!ref.fileName.startsWith('.')) continue;
      const target = resolveImport(file, ref.fileName);
      if (!target || !target.startsWith(srcDir + sep) || isTestFile(target)) continue;
      const to = folderOf(srcDir, target);
      if (to === from) continue;
      if (!edges.has(from)) edges.set(from, new Map());
      const out = edges.get(from);
      if (!out.has(to)) out.set(to, `${relative(srcDir, file)} -> ${relative(srcDir, target)}`);
    }
  }

  // Tarjan's strongly connected components.
  const nodes = new Set([...edges.keys(), ...[...edges.values()].flatMap((m) => [...m.keys()])]);
  const index = new Map();
  const low = new Map();
  const onStack = new Set();
  const stack = [];
  const components = [];
  let counter = 0;
  function visit(node) {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node)?.keys() ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node), low.get(next)));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node), index.get(next)));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) components.push(component.sort());
    }
  }
  for (const node of [...nodes].sort()) if (!index.has(node)) visit(node);

  const name = relative(process.cwd(), packageDir) || '.';
  if (components.length === 0) {
    console.log(`${name}: no cycles between the folders of src/ (${nodes.size} folders)`);
    return true;
  }
  for (const component of components) {
    console.error(`${name}: folders import each other in a cycle: ${component.join(', ')}`);
    const members = new Set(component);
    for (const from of component) {
      for (const [to, example] of edges.get(from) ?? []) {
        if (members.has(to)) console.error(`  ${from} -> ${to}   (${example})`);
      }
    }
  }
  return false;
}

const dirs = process.argv.length > 2 ? process.argv.slice(2) : ['.'];
const results = dirs.map((dir) => checkPackage(resolve(dir)));
// exitCode, not exit(): stdout may be a pipe that is still being written.
process.exitCode = results.every(Boolean) ? 0 : 1;

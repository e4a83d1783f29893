import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { dockerfileStages, stageEnv, type Stage } from './support/dockerfile';
import { readText, ROOT, serviceNames } from './support/repo';

const stages = dockerfileStages();
const SERVICES = serviceNames();
const stage = (name: string): Stage => {
  const s = stages.find((x) => x.name === name);
  if (!s) throw new Error(`no stage ${name}`);
  return s;
};
const runs = (s: Stage): string =>
  s.instructions
    .filter((i) => i.keyword === 'RUN')
    .map((i) => i.args)
    .join('\n');
const aptPackages = (s: Stage): string[] =>
  [
    ...runs(s).matchAll(
      /apt-get install[^&]*?--no-install-recommends((?:\s+[a-z0-9][a-z0-9.+-]*)+)/g,
    ),
  ].flatMap((m) => (m[1] as string).trim().split(/\s+/));
/** A bash array of a script (`readonly NAME=( ... )`), comments and line breaks allowed. */
function bashArray(file: string, name: string): string[] {
  const m = new RegExp(`readonly ${name}=\\(([^)]*)\\)`).exec(readText(file));
  if (!m?.[1]) throw new Error(`${file} has no ${name}`);
  return m[1].replace(/#.*$/gm, '').trim().split(/\s+/);
}

describe('deploy/Dockerfile', () => {
  it('builds one runtime target per service, each from the shared runtime stage', () => {
    for (const s of SERVICES) expect(stage(s).from).toBe('runtime');
    expect(stages.map((s) => s.name).sort()).toEqual(['build', 'runtime', ...SERVICES].sort());
  });

  it('copies from the build context only files that exist', () => {
    for (const s of stages) {
      for (const ins of s.instructions.filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD')) {
        if (/--from=/.test(ins.args)) continue;
        const parts = ins.args.split(/\s+/).filter((p) => !p.startsWith('--'));
        for (const source of parts.slice(0, -1)) {
          if (source === '.') continue;
          expect(`${source}: ${existsSync(resolve(ROOT, source))}`).toBe(`${source}: true`);
        }
      }
    }
  });

  it('copies into each service target only what the build stage makes for it', () => {
    const build = runs(stage('build'));
    expect(build).toMatch(/for s in ([a-z -]+); do/);
    const loop = (/for s in ([a-z -]+); do/.exec(build)?.[1] ?? '').trim().split(/\s+/);
    expect(loop.sort()).toEqual([...SERVICES].sort());
    expect(build).toContain('pnpm --filter "@parley/$s" deploy --prod "/out/$s"');
    for (const s of SERVICES) {
      const copies = stage(s)
        .instructions.filter((i) => i.keyword === 'COPY')
        .map((i) => i.args);
      expect(copies).toContain(`--from=build /out/${s} /app`);
    }
  });

  it('starts each service from files its build produces', () => {
    const runtime = stage('runtime');
    const cmd = runtime.instructions.find((i) => i.keyword === 'CMD')?.args;
    expect(cmd).toBe('["node", "dist/main.js"]');
    expect(runtime.instructions.find((i) => i.keyword === 'ENTRYPOINT')?.args).toBe(
      '["/usr/bin/tini", "--"]',
    );
    expect(runtime.instructions.find((i) => i.keyword === 'WORKDIR')?.args).toBe('/app');
    for (const s of SERVICES) {
      const pkg = JSON.parse(readText(`services/${s}/package.json`)) as {
        main: string;
        scripts: Record<string, string>;
      };
      expect(pkg.main).toBe('dist/main.js');
      expect(existsSync(resolve(ROOT, `services/${s}/src/main.ts`))).toBe(true);
      expect(existsSync(resolve(ROOT, `services/${s}/src/migrate.ts`))).toBe(true);
      expect(pkg.scripts.migrate).toBe('node dist/migrate.js');
      // tsc maps src/main.ts to dist/main.js.
      expect(readText(`services/${s}/tsconfig.json`)).toMatch(
        /"rootDir":\s*"src",\s*"outDir":\s*"dist"/,
      );
    }
    // The streams job's command, from the contracts package that every service depends on.
    const contracts = JSON.parse(readText('packages/contracts/package.json')) as {
      files: string[];
    };
    expect(contracts.files).toContain('dist');
    expect(existsSync(resolve(ROOT, 'packages/contracts/src/nats/ensure-streams-cli.ts'))).toBe(
      true,
    );
  });

  it('runs every service as the unprivileged user the manifests expect', () => {
    expect(runs(stage('runtime'))).toMatch(/useradd --system --uid 10001/);
    for (const s of SERVICES) {
      const users = stage(s)
        .instructions.filter((i) => i.keyword === 'USER')
        .map((i) => i.args);
      expect(users[users.length - 1]).toBe('10001');
    }
  });

  it('builds the mediasoup worker with the offline recipe and its Debian dependencies', () => {
    const build = stage('build');
    expect(runs(build)).toContain('scripts/mediasoup-worker.sh ensure');
    const needed = bashArray('scripts/mediasoup-worker.sh', 'APT_PACKAGES');
    expect(needed.filter((p) => !aptPackages(build).includes(p))).toEqual([]);
    const version = /MEDIASOUP_VERSION="\$\{MEDIASOUP_VERSION:-([0-9.]+)\}"/.exec(
      readText('scripts/mediasoup-worker.sh'),
    )?.[1];
    const media = JSON.parse(readText('services/media/package.json')) as {
      dependencies: Record<string, string>;
    };
    expect(version).toBe(media.dependencies.mediasoup);
    expect(readText('deploy/Dockerfile')).toContain(`ARG MEDIASOUP_VERSION=${version}`);
  });

  it('puts rtpengine, espeak-ng and the worker in the media image only', () => {
    const mediaPackages = aptPackages(stage('media'));
    expect(mediaPackages).toEqual(expect.arrayContaining(['rtpengine-daemon', 'espeak-ng']));
    expect(bashArray('dev', 'APT_PACKAGES')).toEqual(
      expect.arrayContaining(['rtpengine-daemon', 'espeak-ng']),
    );
    for (const s of SERVICES.filter((x) => x !== 'media'))
      expect(aptPackages(stage(s))).toEqual([]);
    expect(aptPackages(stage('runtime'))).toEqual(['tini', 'ca-certificates', 'passwd']);
    const env = stageEnv(stages, 'media');
    expect(env.RTPENGINE_BIN).toBe('/usr/bin/rtpengine');
    expect(stage('media').instructions.map((i) => i.args)).toContain(
      `--from=build /out/mediasoup-worker ${env.MEDIASOUP_WORKER_BIN ?? '?'}`,
    );
    // The default the media schema uses is where Debian's package installs rtpengine.
    expect(readText('services/media/src/config/env.schema.ts')).toContain(
      `default('${env.RTPENGINE_BIN ?? '?'}')`,
    );
  });

  it('builds FROM the base ./dev image makes, which has what the runtime stage needs', () => {
    const script = readText('deploy/image/build.sh');
    const include = /--include=([a-z0-9,.+-]+)/.exec(script)?.[1]?.split(',') ?? [];
    // The runtime stage installs these only when the base lacks them (Node's own image).
    expect(include).toEqual(expect.arrayContaining(aptPackages(stage('runtime'))));
    const defaultBase = /^ARG BASE_IMAGE=(\S+)$/m.exec(readText('deploy/Dockerfile'))?.[1];
    expect(defaultBase).toBe('localhost/parley/base:bookworm-node20');
    expect(script).toContain('"$REPO/base:bookworm-node20"');
    expect(script).toMatch(/REPO="\$\{PARLEY_IMAGE_REPO:-localhost\/parley\}"/);
    for (const s of ['build', 'runtime']) expect(stage(s).from).toBe('${BASE_IMAGE}');
    // Every service the script can build is a target, and the other way round.
    expect(bashArray('deploy/image/build.sh', 'ALL_SERVICES').sort()).toEqual([...SERVICES].sort());
    expect(bashArray('dev', 'SERVICES').sort()).toEqual([...SERVICES].sort());
  });

  it('keeps build output, dependencies and secrets out of the build context', () => {
    const ignore = readFileSync(resolve(ROOT, 'deploy/Dockerfile.dockerignore'), 'utf8');
    for (const entry of ['**/node_modules', '**/dist', '.git', '.env', '.data']) {
      expect(ignore.split('\n')).toContain(entry);
    }
  });
});

import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ROOT } from './repo';

export interface RunningService {
  name: string;
  url: string;
  child: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** `node services/<name>/dist/<script>` with only `env`, collecting its output. */
function run(name: string, script: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [join(ROOT, 'services', name, 'dist', script)], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** The migrate Job's step for one service: `node dist/migrate.js`. */
export async function migrateService(name: string, env: Record<string, string>): Promise<void> {
  const child = run(name, 'migrate.js', env);
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`${name} migrations failed (${String(code)}): ${out}`);
}

/** Starts a built service as its image does and waits for the readiness probe (/readyz 200). */
export async function startService(
  name: string,
  env: Record<string, string>,
): Promise<RunningService> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = run(name, 'main.js', { ...env, HTTP_HOST: '127.0.0.1', HTTP_PORT: String(port) });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  // Generous: on a loaded 2-core machine loading a service's modules alone took ~30 s.
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}: ${out}`);
    const status = await fetch(`${url}/readyz`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${name} not ready within 90 s: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { name, url, child, output: () => out, stop };
}

/**
 * A real Prometheus (Debian's `prometheus`), scraping `targets` every second under the job
 * names the alert rules expect, with `ruleFiles` loaded, its data in `dataDir`.
 */
export async function startPrometheus(opts: {
  targets: { job: string; url: string }[];
  ruleFiles: string[];
  dataDir: string;
}): Promise<{ url: string; stop: () => Promise<void>; output: () => string }> {
  const { writeFile } = await import('node:fs/promises');
  const { stringify } = await import('yaml');
  const config = join(opts.dataDir, 'prometheus.yaml');
  await writeFile(
    config,
    stringify({
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: opts.ruleFiles,
      scrape_configs: opts.targets.map((t) => ({
        job_name: t.job,
        static_configs: [{ targets: [new URL(t.url).host] }],
      })),
    }),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    'prometheus',
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(opts.dataDir, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  let spawnError: Error | undefined;
  child.on('error', (e) => (spawnError = e));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (spawnError)
      throw new Error(`prometheus: ${spawnError.message} (Debian's prometheus package)`);
    if (child.exitCode !== null) throw new Error(`prometheus exited: ${out}`);
    const status = await fetch(`${url}/-/ready`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus not ready within 60 s: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, stop, output: () => out };
}

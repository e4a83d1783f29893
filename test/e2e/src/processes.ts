import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type ServiceName } from '@parley/contracts';

const ROOT = join(__dirname, '..', '..', '..');

export interface ServiceProcess {
  name: ServiceName | 'meta-sim';
  url: string;
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function run(script: string, env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Applies a service's migrations with its built `migrate.js`, as `./dev` does. */
export async function migrate(name: ServiceName, env: NodeJS.ProcessEnv): Promise<void> {
  const child = run(join(ROOT, 'services', name, 'dist', 'migrate.js'), env);
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`${name} migrations failed (${code}): ${out}`);
}

/** Starts a built service (`dist/main.js`) and waits until its /readyz answers 200. */
export async function startService(
  name: ServiceName,
  env: NodeJS.ProcessEnv,
  port?: number,
): Promise<ServiceProcess> {
  port ??= await freePort();
  const url = `http://127.0.0.1:${port}`;
  return startProcess(name, join(ROOT, 'services', name, 'dist', 'main.js'), {
    env: { ...env, HTTP_HOST: '127.0.0.1', HTTP_PORT: String(port) },
    url,
    readyUrl: `${url}/readyz`,
  });
}

/** Starts a built script and waits until `readyUrl` answers 200. */
export async function startProcess(
  name: ServiceProcess['name'],
  script: string,
  opts: { env: NodeJS.ProcessEnv; url: string; readyUrl: string },
): Promise<ServiceProcess> {
  const { url } = opts;
  const child = run(script, opts.env);
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  // Generous: on a loaded 2-core machine loading a service's modules alone took ~30 s.
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}: ${out}`);
    try {
      const res = await fetch(opts.readyUrl);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} not ready within 90 s: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { name, url, child, exited, output: () => out };
}

/**
 * A real crash: SIGKILL (no shutdown hook runs, nothing is drained or flushed), resolved
 * once the process is gone.
 */
export async function crash(p: ServiceProcess): Promise<void> {
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await p.exited;
}

/** Crashes a built service with SIGKILL and starts it again on the same port. */
export async function crashAndRestart(
  p: ServiceProcess,
  env: NodeJS.ProcessEnv,
  whileDown?: () => Promise<void>,
): Promise<ServiceProcess> {
  if (p.name === 'meta-sim') throw new Error('crashAndRestart is for Parley services');
  await crash(p);
  await whileDown?.();
  return startService(p.name, env, Number(new URL(p.url).port));
}

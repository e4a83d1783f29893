import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { processCpuSeconds } from './proc-stat';

/** What the media benchmarks share: the service as a child process, waiting, CPU. */

export function env(name: string, fallback: string): string {
  return process.env[name] ?? fallback;
}

export async function waitFor<T>(
  what: string,
  check: () => T | undefined,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function inBatches<T, R>(
  items: T[],
  size: number,
  run: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) {
    out.push(...(await Promise.all(items.slice(i, i + size).map(run))));
  }
  return out;
}

export async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise<void>((r) => s.close(r));
  return port;
}

/** Starts the built media service (`main`: another build's main.js to compare with). */
export function startMedia(
  extraEnv: Record<string, string>,
  main = join(__dirname, '..', 'main.js'),
): {
  child: ChildProcess;
  logs: Record<string, unknown>[];
} {
  // setpriv: the service (and through it rtpengine) ends with the bench, even on a crash.
  const [command, args] = existsSync('/usr/bin/setpriv')
    ? ['/usr/bin/setpriv', ['--pdeathsig', 'SIGTERM', '--', process.execPath, main]]
    : [process.execPath, [main]];
  const child = spawn(command, args, {
    env: { ...process.env, LOG_LEVEL: 'info', ...extraEnv },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const logs: Record<string, unknown>[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      logs.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      process.stderr.write(`${line}\n`);
    }
  });
  return { child, logs };
}

export function cpuSeconds(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + (processCpuSeconds(pid) ?? 0), 0);
}

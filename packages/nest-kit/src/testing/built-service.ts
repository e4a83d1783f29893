import { spawn } from 'node:child_process';

/**
 * Runs a built service (`dist/main.js`) as `./dev start` does, with only PATH and `env`,
 * and resolves with how it ended. For start-up tests (bad configuration must exit 78):
 * a process still running after `timeoutMs` is killed. The default stays under the
 * integration tier's 60 s test timeout but leaves a loaded machine time to load the
 * service's modules (20 s was seen to kill a process about to exit 78). A test whose
 * service gets past its configuration passes a `createTestNatsNamespace()` env too.
 */
export function runBuiltServiceToExit(
  mainJs: string,
  env: Record<string, string>,
  timeoutMs = 50_000,
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [mainJs], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

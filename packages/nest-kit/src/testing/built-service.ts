import { spawn } from 'node:child_process';

/**
 * Runs a built service (`dist/main.js`) as `./dev start` does, with only PATH and `env`,
 * and resolves with how it ended. For start-up tests (bad configuration must exit 78):
 * a process still running after `timeoutMs` is killed.
 */
export function runBuiltServiceToExit(
  mainJs: string,
  env: Record<string, string>,
  timeoutMs = 20_000,
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

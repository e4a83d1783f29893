import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** Runs the built service as `./dev start` does and collects how it ended. */
function runBuiltService(
  env: Record<string, string>,
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(__dirname, '..', 'dist', 'main.js')], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe('consent process start-up', () => {
  it('refuses a bad environment with a message naming each variable, and exit code 78', async () => {
    const { code, stderr } = await runBuiltService({
      HTTP_PORT: 'not-a-port',
      NATS_URL: 'http://wrong-scheme',
      DATABASE_URL: 'postgres://user:hunter2@127.0.0.1:5432/x',
    });
    expect(code).toBe(78);
    expect(stderr).toContain('consent: invalid configuration');
    expect(stderr).toMatch(/HTTP_PORT: .*not-a-port/);
    expect(stderr).toMatch(/NATS_URL: must be one or more comma-separated nats:\/\/ URLs/);
    // DATABASE_URL was valid: it is not mentioned, and its password never printed.
    expect(stderr).not.toContain('DATABASE_URL');
    expect(stderr).not.toContain('hunter2');
  });
});

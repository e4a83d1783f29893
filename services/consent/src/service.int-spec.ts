import { join } from 'node:path';
import { runBuiltServiceToExit } from '@parley/nest-kit/testing';

/** The built service, run as `./dev start` runs it. */
const runBuiltService = (env: Record<string, string>) =>
  runBuiltServiceToExit(join(__dirname, '..', 'dist', 'main.js'), env);

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

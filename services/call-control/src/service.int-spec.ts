import { join } from 'node:path';
import { runBuiltServiceToExit } from '@parley/nest-kit/testing';

/** The built service, run as `./dev start` runs it. */
const runBuiltService = (env: Record<string, string>) =>
  runBuiltServiceToExit(join(__dirname, '..', 'dist', 'main.js'), env);

describe('call-control process start-up', () => {
  it('refuses production without a secrets key, naming the variable and hiding secret values, exit code 78', async () => {
    const { code, stderr } = await runBuiltService({
      NODE_ENV: 'production',
      PARLEY_DEV_AUTH_TOKEN: 'hunter2hunter2',
      META_GRAPH_VERSION: '23',
    });
    expect(code).toBe(78);
    expect(stderr).toContain('call-control: invalid configuration');
    expect(stderr).toMatch(/PARLEY_SECRETS_KEY: is required in production/);
    expect(stderr).toMatch(/META_GRAPH_VERSION: must look like v23.0/);
    expect(stderr).toMatch(/PARLEY_DEV_AUTH_TOKEN: .*value hidden/);
    expect(stderr).not.toContain('hunter2');
  });
});

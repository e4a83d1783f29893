import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import {
  createTestDatabase,
  createTestNatsNamespace,
  type TestDatabase,
  type TestNatsNamespace,
} from '@parley/nest-kit/testing';
import { freePort } from './support/processes';
import { readText } from './support/repo';

/**
 * call-control's image as `./dev image` builds it (deploy/image/build.sh), run with podman
 * against this machine's PostgreSQL and NATS the way the manifests run it: its own user, a
 * read-only root filesystem with /tmp a tmpfs, its migrations as the migrate Job runs them,
 * then the service until its readiness probe answers 200.
 *
 * Run (as root, after `./dev image call-control`): cd deploy && pnpm test:image
 */
const run = promisify(execFile);
// What deploy/image/build.sh uses, for the same reasons (see there): runc, cgroupfs, the
// host's open-files limit, the host's network.
const PODMAN = ['--runtime', 'runc', '--cgroup-manager', 'cgroupfs'];
const RUN_FLAGS = [
  '--network',
  'host',
  '--ulimit',
  'nofile=20000:20000',
  '--ulimit',
  'nproc=32768:32768',
];

async function podman(args: string[]): Promise<string> {
  try {
    const { stdout } = await run('podman', [...PODMAN, ...args], { maxBuffer: 16 << 20 });
    return stdout.trim();
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`podman ${args.join(' ')}: ${e.stderr ?? e.message}`);
  }
}

const REPO = process.env.PARLEY_IMAGE_REPO ?? 'localhost/parley';
const version = (JSON.parse(readText('services/call-control/package.json')) as { version: string })
  .version;
const IMAGE = `${REPO}/call-control:${process.env.PARLEY_IMAGE_TAG ?? version}`;

describe(`call-control's image (${IMAGE})`, () => {
  let db: TestDatabase;
  let nats: TestNatsNamespace;
  const name = `parley-image-test-${randomBytes(4).toString('hex')}`;
  let url = '';
  let env: string[] = [];

  beforeAll(async () => {
    await podman(['image', 'exists', IMAGE]).catch(() => {
      throw new Error(`no image ${IMAGE}: build it first with ./dev image call-control`);
    });
    db = await createTestDatabase('deploy_image');
    nats = await createTestNatsNamespace('deploy_image');
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const vars: Record<string, string> = {
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      DATABASE_URL: db.url,
      ...nats.env,
      PARLEY_SECRETS_KEY: randomBytes(32).toString('base64'),
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(port),
      SHUTDOWN_GRACE_MS: '2000',
    };
    env = Object.entries(vars).flatMap(([k, v]) => ['--env', `${k}=${v}`]);
  }, 120_000);

  afterAll(async () => {
    await podman(['rm', '--force', '--time', '10', name]).catch(() => undefined);
    await nats?.drop();
    await db?.drop();
  }, 60_000);

  it('runs as uid 10001 under tini, starting node dist/main.js', async () => {
    const config = JSON.parse(
      await podman(['image', 'inspect', '--format', '{{json .Config}}', IMAGE]),
    ) as { User: string; Entrypoint: string[]; Cmd: string[]; WorkingDir: string };
    expect(config).toMatchObject({
      User: '10001',
      Entrypoint: ['/usr/bin/tini', '--'],
      Cmd: ['node', 'dist/main.js'],
      WorkingDir: '/app',
    });
    expect(await podman(['run', '--rm', ...RUN_FLAGS, IMAGE, 'node', '--version'])).toMatch(
      /^v20\./,
    );
  });

  it('applies its migrations as the migrate Job does', async () => {
    const out = await podman([
      'run',
      '--rm',
      ...RUN_FLAGS,
      '--read-only',
      ...env,
      IMAGE,
      'node',
      'dist/migrate.js',
    ]);
    expect(out).not.toMatch(/"level":(50|60)/);
    const { stdout } = await run('psql', [
      db.url,
      '-tAc',
      `SELECT count(*) FROM information_schema.tables WHERE table_schema = 'call_control'`,
    ]);
    expect(Number(stdout.trim())).toBeGreaterThan(0);
  }, 180_000);

  it('starts on a read-only root filesystem and answers /readyz with 200', async () => {
    await podman([
      'run',
      '--detach',
      '--name',
      name,
      ...RUN_FLAGS,
      '--read-only',
      '--tmpfs',
      '/tmp',
      ...env,
      IMAGE,
    ]);
    // Waits for the state, generously: a loaded 2-core machine starts a service slowly.
    const deadline = Date.now() + 180_000;
    let last = '';
    for (;;) {
      const status = await fetch(`${url}/readyz`).then(
        async (r) => ({ code: r.status, body: await r.text() }),
        (e: unknown) => ({ code: 0, body: String(e) }),
      );
      if (status.code === 200) {
        expect(JSON.parse(status.body)).toMatchObject({ ready: true });
        break;
      }
      last = `${status.code} ${status.body}`;
      const state = await podman(['inspect', '--format', '{{.State.Status}}', name]);
      if (state !== 'running' || Date.now() > deadline) {
        const logs = await podman(['logs', name]).catch((e: Error) => e.message);
        throw new Error(`not ready (${state}; last /readyz: ${last}):\n${logs}`);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    // The process is the service user's, under tini as PID 1.
    expect(await podman(['exec', name, 'id', '-u'])).toBe('10001');
    expect(await podman(['exec', name, 'cat', '/proc/1/comm'])).toBe('tini');
  }, 240_000);
});

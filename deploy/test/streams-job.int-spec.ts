import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { streamConfig, streams } from '@parley/contracts';
import { testNatsUrl } from '@parley/nest-kit/testing';
import { connect, type NatsConnection } from 'nats';
import { parseYamlDocuments, readText, renderKustomization, ROOT } from './support/repo';
import { find, type Workload } from './support/kubernetes';

const run = promisify(execFile);

/**
 * The streams Job runs `node node_modules/@parley/contracts/dist/nats/ensure-streams-cli.js`
 * in the call-control image (the same built file as `packages/contracts/dist/...` here):
 * run it as the Job would, on the real NATS, and find every stream of the registry.
 */
describe('the JetStream streams job', () => {
  const namespace = `t_streams_job_${randomBytes(4).toString('hex')}`;
  let nc: NatsConnection;
  beforeAll(async () => {
    nc = await connect({ servers: testNatsUrl() });
  });
  afterAll(async () => {
    const jsm = await nc.jetstreamManager();
    for (const def of streams)
      await jsm.streams.delete(streamConfig(def, namespace).name).catch(() => false);
    await nc.close();
  });

  it('creates every stream of the contracts registry, in the deployment namespace, idempotently', async () => {
    const job = find<Workload>(
      renderKustomization('deploy/kubernetes/overlays/production'),
      'Job',
      'parley-streams',
    );
    const command = job.spec.template.spec.containers[0]?.command ?? [];
    const compose = parseYamlDocuments(readText('deploy/compose.yaml'), 'compose')[0] as {
      services: { streams: { command: string[] } };
    };
    expect(compose.services.streams.command).toEqual(command);
    const [node, script] = command;
    expect(node).toBe('node');
    const built = resolve(
      ROOT,
      'packages/contracts',
      (script ?? '').replace('node_modules/@parley/contracts/', ''),
    );
    const env = { ...process.env, NATS_URL: testNatsUrl(), PARLEY_NATS_NAMESPACE: namespace };

    const jsm = await nc.jetstreamManager();
    const names = streams.map((def) => streamConfig(def, namespace).name);
    expect(names.length).toBeGreaterThan(0);
    for (const name of names)
      await expect(jsm.streams.info(name)).rejects.toThrow(/stream not found/);

    const first = await run(process.execPath, [built], { env });
    for (const def of streams) {
      const want = streamConfig(def, namespace);
      const info = await jsm.streams.info(want.name);
      expect(info.config.subjects.sort()).toEqual([...want.subjects].sort());
      expect(first.stdout).toContain(`stream ${want.name} `);
    }
    // Again, as on every upgrade: nothing breaks, nothing is lost.
    await run(process.execPath, [built], { env });
    for (const name of names) expect((await jsm.streams.info(name)).config.name).toBe(name);
  });
});

import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createInterface } from 'node:readline';
import { startMetaSim, type RunningMetaSim } from '../server';
import { WebhookReceiver } from '../testing/webhook-receiver';
import { CliUsageError, runCli } from './run-cli';

const run = async (url: string, ...argv: string[]): Promise<unknown> =>
  JSON.parse(await runCli(['--url', url, ...argv], {})) as unknown;

describe('CLI', () => {
  let sim: RunningMetaSim;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await new WebhookReceiver().start();
    sim = await startMetaSim({ port: 0, logLevel: 'silent', webhookRetryDelaysMs: [] });
  });
  afterAll(async () => {
    await sim.close();
    await receiver.close();
  });

  it('creates a business and a user, places a call and moves the clock', async () => {
    const business = (await run(
      sim.url,
      'businesses:create',
      '--display-number',
      '+1 555 010 0001',
      '--webhook-url',
      receiver.url,
      '--phone-number-id',
      '518638374672395',
    )) as { phoneNumberId: string; accessToken: string; displayPhoneNumber: string };
    expect(business).toMatchObject({
      phoneNumberId: '518638374672395',
      displayPhoneNumber: '15550100001',
    });
    expect(business.accessToken).toMatch(/^EAA/);
    expect(
      await run(
        sim.url,
        'users:create',
        '--wa-id',
        '15550100002',
        '--tone-hz',
        '440',
        '--on-incoming',
        'reject',
      ),
    ).toMatchObject({
      waId: '15550100002',
      behaviour: { speak: { toneHz: 440 }, onIncomingCall: 'reject' },
    });
    const placed = (await run(
      sim.url,
      'call',
      '--from-user',
      '15550100002',
      '--to-business',
      business.phoneNumberId,
    )) as {
      callId: string;
    };
    expect(placed.callId).toMatch(/^wacid\./);
    expect(await run(sim.url, 'call:get', placed.callId)).toMatchObject({
      status: 'ringing',
      direction: 'USER_INITIATED',
    });
    expect(await run(sim.url, 'hangup', placed.callId)).toMatchObject({
      status: 'ended',
      endReason: 'user_hangup',
    });
    const before = (await run(sim.url, 'clock')) as { offsetMs: number };
    const after = (await run(sim.url, 'clock:advance', '25h')) as { offsetMs: number };
    expect(after.offsetMs - before.offsetMs).toBe(25 * 3_600_000);
    expect(
      await run(
        sim.url,
        'permissions:grant',
        '--wa-id',
        '15550100002',
        '--business',
        business.phoneNumberId,
        '--permanent',
      ),
    ).toMatchObject({
      permission: { status: 'permanent' },
    });
    expect(await run(sim.url, 'status')).toMatchObject({
      businesses: 1,
      users: 1,
      calls: { total: 1, active: 0 },
    });
  });

  it('lists templates and reviews one, which sends the status webhook', async () => {
    const business = (await run(
      sim.url,
      'businesses:create',
      '--display-number',
      '+1 555 010 0077',
      '--webhook-url',
      receiver.url,
    )) as { wabaId: string; accessToken: string };
    const created = await fetch(`${sim.url}/v21.0/${business.wabaId}/message_templates`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${business.accessToken}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        name: 'cli_template',
        language: 'en',
        category: 'UTILITY',
        components: [{ type: 'BODY', text: 'Your order has shipped.' }],
      }),
    });
    const { id } = (await created.json()) as { id: string };
    expect(await run(sim.url, 'templates')).toEqual([
      expect.objectContaining({ id, name: 'cli_template', status: 'PENDING' }),
    ]);
    expect(
      await run(sim.url, 'template:status', id, 'REJECTED', '--reason', 'INVALID_FORMAT'),
    ).toMatchObject({ id, status: 'REJECTED', rejectedReason: 'INVALID_FORMAT' });
    await expect(runCli(['--url', sim.url, 'template:status', id, 'MAYBE'], {})).rejects.toThrow(
      /status must be one of/,
    );
  });

  it('explains bad usage', async () => {
    await expect(runCli(['--url', sim.url, 'call', '--from-user', '1555'], {})).rejects.toThrow(
      CliUsageError,
    );
    await expect(
      runCli(['--url', sim.url, 'users:create', '--wa-id', '1', '--on-incoming', 'maybe'], {}),
    ).rejects.toThrow(/--on-incoming must be one of/);
    expect(await runCli([], {})).toMatch(/^meta-sim: drive/);
  });
});

describe('meta-sim as a process (dist/main.js and dist/cli.js)', () => {
  const dist = join(__dirname, '../../dist');

  it('starts with a seed file, answers the CLI, and exits cleanly on SIGTERM', async () => {
    if (!existsSync(join(dist, 'main.js')))
      throw new Error('build the package first: pnpm --filter @parley/meta-sim build');
    const dir = mkdtempSync(join(tmpdir(), 'meta-sim-'));
    const config = join(dir, 'config.json');
    writeFileSync(
      config,
      JSON.stringify({
        businesses: [
          {
            displayPhoneNumber: '15550100001',
            phoneNumberId: '518638374672395',
            webhookUrl: 'http://127.0.0.1:9/hook',
          },
        ],
        users: [{ waId: '15550100002', name: 'Demo User' }],
        permissions: [{ waId: '15550100002', phoneNumberId: '518638374672395', permanent: true }],
      }),
    );
    const child = spawn(process.execPath, [join(dist, 'main.js')], {
      env: {
        ...process.env,
        META_SIM_PORT: '0',
        META_SIM_CONFIG: config,
        META_SIM_LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    );
    const lines: Array<Record<string, unknown>> = [];
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('meta-sim did not start')), 15_000);
      createInterface({ input: child.stdout }).on('line', (line) => {
        const entry = JSON.parse(line) as Record<string, unknown>;
        lines.push(entry);
        if (entry.msg === 'meta-sim listening') {
          clearTimeout(timer);
          resolve(String(entry.url));
        }
      });
    });
    const { stdout } = await promisify(execFile)(process.execPath, [
      join(dist, 'cli.js'),
      '--url',
      url,
      'permissions:get',
      '--wa-id',
      '15550100002',
      '--business',
      '518638374672395',
    ]);
    expect(JSON.parse(stdout)).toMatchObject({ permission: { status: 'permanent' } });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(lines.every((l) => typeof l.time === 'string' && typeof l.level === 'string')).toBe(
      true,
    );
    expect(lines.at(-1)?.msg).toBe('meta-sim stopped');
    expect(JSON.stringify(lines)).not.toMatch(/EAAsim/);
  });
});

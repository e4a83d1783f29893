import { randomBytes } from 'node:crypto';
import { postgresOptions, runMigrations } from '@parley/nest-kit';
import { createTestDatabase, type TestDatabase } from '@parley/nest-kit/testing';
import { service } from '../service';
import { SecretBox, secretContext } from '../secrets/secret-box';
import { provisionTenant, RestClient, startHarness } from '../testing/harness';
import { parseArgs, runCli, UsageError } from './cli';

describe('admin CLI', () => {
  let db: TestDatabase;
  const run = async (args: string[], extraEnv: Record<string, string> = {}) => {
    const lines: string[] = [];
    const code = await runCli(
      args,
      { DATABASE_URL: db.url, NODE_ENV: 'development', ...extraEnv },
      { out: (l) => lines.push(l) },
    );
    return { code, lines, json: () => JSON.parse(lines.join('\n')) as Record<string, string> };
  };

  beforeAll(async () => {
    db = await createTestDatabase('cc-cli');
    await runMigrations(
      postgresOptions({ url: db.url, applicationName: 'cli-test', database: service.database }),
    );
  });

  afterAll(async () => {
    await db.drop();
  });

  it('creates and lists accounts, shows a token only when asked, and creates API keys', async () => {
    const created = (await run(['accounts:create', '--name', 'Acme', '--json'])).json();
    expect(created.account_sid).toMatch(/^AC[0-9a-f]{32}$/);
    expect(created.auth_token).toMatch(/^[0-9a-f]{32}$/);
    const listed = await run(['accounts:list']);
    expect(listed.lines.join('\n')).toContain(created.account_sid);
    expect(listed.lines.join('\n')).not.toContain(created.auth_token);
    const shown = (
      await run(['accounts:show', '--account', created.account_sid ?? '', '--json'])
    ).json();
    expect(shown).not.toHaveProperty('auth_token');
    expect(
      (
        await run([
          'accounts:show',
          '--account',
          created.account_sid ?? '',
          '--show-token',
          '--json',
        ])
      ).json().auth_token,
    ).toBe(created.auth_token);

    const key = (
      await run(['keys:create', '--account', created.account_sid ?? '', '--name', 'ci', '--json'])
    ).json();
    expect(key.sid).toMatch(/^SK[0-9a-f]{32}$/);
    expect(key.secret).toMatch(/^[A-Za-z0-9]{32}$/);
    const keys = await run(['keys:list', '--account', created.account_sid ?? '']);
    expect(keys.lines.join('\n')).toContain(key.sid);
    expect(keys.lines.join('\n')).not.toContain(key.secret);

    // The credentials it printed work against the running service.
    const h = await startHarness('cli-creds', { peers: 'none' });
    try {
      // The harness has its own database: re-create the account there with the same token.
      await run(
        [
          'accounts:create',
          '--name',
          'Acme',
          '--sid',
          created.account_sid ?? '',
          '--auth-token',
          created.auth_token ?? '',
        ],
        { DATABASE_URL: h.db.url },
      );
      const res = await new RestClient(
        h.url,
        created.account_sid ?? '',
        created.auth_token ?? '',
      ).get(`/2010-04-01/Accounts/${created.account_sid}.json`);
      expect(res.status).toBe(200);
      expect(res.body.friendly_name).toBe('Acme');
    } finally {
      await h.close();
    }

    const rotated = (
      await run(['accounts:rotate-token', '--account', created.account_sid ?? '', '--json'])
    ).json();
    expect(rotated.auth_token).not.toBe(created.auth_token);
    expect(
      (await run(['keys:delete', '--account', created.account_sid ?? '', '--key', key.sid ?? '']))
        .code,
    ).toBe(0);
    expect((await run(['keys:list', '--account', created.account_sid ?? ''])).lines).toEqual([]);
  });

  it('ensures the development account: from the environment, else made once and reused', async () => {
    const sid = 'AC' + 'd'.repeat(32);
    const token = 'e'.repeat(32);
    const env = { PARLEY_DEV_ACCOUNT_SID: sid, PARLEY_DEV_AUTH_TOKEN: token };
    expect((await run(['accounts:ensure-dev', '--json'], env)).json()).toEqual({
      account_sid: sid,
      auth_token: token,
      outcome: 'created',
    });
    expect((await run(['accounts:ensure-dev', '--json'], env)).json().outcome).toBe('unchanged');
    expect(
      (
        await run(['accounts:ensure-dev', '--json'], {
          ...env,
          PARLEY_DEV_AUTH_TOKEN: 'f'.repeat(32),
        })
      ).json().outcome,
    ).toBe('updated');

    const fresh = await createTestDatabase('cc-cli-dev');
    try {
      await runMigrations(
        postgresOptions({
          url: fresh.url,
          applicationName: 'cli-test',
          database: service.database,
        }),
      );
      const first = (
        await run(['accounts:ensure-dev', '--json'], { DATABASE_URL: fresh.url })
      ).json();
      expect(first.outcome).toBe('created');
      const again = (
        await run(['accounts:ensure-dev', '--json'], { DATABASE_URL: fresh.url })
      ).json();
      expect(again).toEqual({ ...first, outcome: 'unchanged' });
    } finally {
      await fresh.drop();
    }
  });

  it('rotates the secrets key: the old key still opens, reseal moves every secret to the new one', async () => {
    const OLD = randomBytes(32).toString('base64');
    const NEW = randomBytes(32).toString('base64');
    const h = await startHarness('cli-rotate', { peers: 'none', env: { PARLEY_SECRETS_KEY: OLD } });
    try {
      const tenant = await provisionTenant(h);
      const asHarness = async (args: string[], env: Record<string, string>) => {
        const lines: string[] = [];
        await runCli(
          args,
          { DATABASE_URL: h.db.url, NODE_ENV: 'development', ...env },
          {
            out: (l) => lines.push(l),
          },
        );
        return JSON.parse(lines.join('\n')) as Record<string, unknown>;
      };
      const show = ['accounts:show', '--account', tenant.account.sid, '--show-token', '--json'];

      // The new key alone cannot open what the old one sealed.
      await expect(asHarness(show, { PARLEY_SECRETS_KEY: NEW })).rejects.toThrow(
        /does not open with any configured key/,
      );
      const during = { PARLEY_SECRETS_KEY: NEW, PARLEY_SECRETS_DECRYPT_KEYS: OLD };
      expect((await asHarness(show, during)).auth_token).toBe(tenant.account.authToken);

      const report = await asHarness(['secrets:reseal', '--json'], during);
      expect(report).toMatchObject({ meta_access_tokens: 1, meta_app_secrets: 1 });
      expect(Number(report.auth_tokens)).toBeGreaterThanOrEqual(1);
      expect(await asHarness(['secrets:reseal', '--json'], during)).toMatchObject({
        auth_tokens: 0,
        meta_access_tokens: 0,
        meta_app_secrets: 0,
      });

      // After the reseal the new key alone opens everything, and the old one nothing.
      expect((await asHarness(show, { PARLEY_SECRETS_KEY: NEW })).auth_token).toBe(
        tenant.account.authToken,
      );
      await expect(asHarness(show, { PARLEY_SECRETS_KEY: OLD })).rejects.toThrow();
      const [sender] = await h.query<{ access_token_sealed: string; app_secret_sealed: string }>(
        'SELECT access_token_sealed, app_secret_sealed FROM call_control.senders WHERE sid = $1',
        [tenant.senderSid],
      );
      const box = SecretBox.fromBase64(NEW);
      expect(
        box.decrypt(sender!.access_token_sealed, secretContext.metaAccessToken(tenant.senderSid)),
      ).toBe(tenant.business.accessToken);
      expect(
        box.decrypt(sender!.app_secret_sealed, secretContext.metaAppSecret(tenant.senderSid)),
      ).toBe(tenant.business.appSecret);
    } finally {
      await h.close();
    }
  });

  it('refuses bad usage clearly', async () => {
    await expect(run(['accounts:create'])).rejects.toThrow(/--name is required/);
    await expect(run(['accounts:create', '--name', 'x', '--sid', 'AC1'])).rejects.toThrow(
      UsageError,
    );
    await expect(run(['nope'])).rejects.toThrow(/unknown command "nope"/);
    await expect(run(['keys:create', '--account', 'AC' + '0'.repeat(32)])).rejects.toThrow(
      /no account/,
    );
    expect(parseArgs(['accounts:create', '--name=Acme Inc', '--json'])).toEqual({
      command: 'accounts:create',
      flags: { name: 'Acme Inc', json: true },
    });
    expect(parseArgs(['keys:create', '--account', 'AC1', '--name', 'ci'])).toEqual({
      command: 'keys:create',
      flags: { account: 'AC1', name: 'ci' },
    });
    expect(() => parseArgs(['accounts:list', '--jsn'])).toThrow(/Unknown option '--jsn'/);
    expect(() => parseArgs(['accounts:show', '--account'])).toThrow(UsageError);
    expect(() => parseArgs(['accounts:list', 'extra'])).toThrow(/unexpected argument "extra"/);
    expect((await run([])).code).toBe(64);
  });
});

/**
 * `node dist/admin/cli.js <command> [options]`: operator commands for accounts and API
 * keys, straight against the service's database (migrations must have run). Secrets are
 * printed once, when created; logs never carry them.
 *
 *   accounts:create --name <name> [--sid AC...] [--auth-token <32 hex>]
 *   accounts:list
 *   accounts:show --account AC... [--show-token]
 *   accounts:rotate-token --account AC...
 *   accounts:ensure-dev        the development account: PARLEY_DEV_ACCOUNT_SID and
 *                              PARLEY_DEV_AUTH_TOKEN when set, else one made once and reused
 *   keys:create --account AC... [--name <name>]
 *   keys:list --account AC...
 *   keys:delete --account AC... --key SK...
 *   secrets:reseal             seal every stored secret with PARLEY_SECRETS_KEY (after a key
 *                              change, the old key in PARLEY_SECRETS_DECRYPT_KEYS)
 *   webhooks:failed            Meta webhook events given up on, and changes not understood
 *   webhooks:redrive (--id <id,...> | --all)
 *                              queue them again (changes not understood are parsed again)
 *   dead-letters:list [--all]  durable events given up on (--all: re-driven ones too)
 *   dead-letters:redrive (--id <id,...> | --all)
 *                              run them through their consumer again (the service does it
 *                              within DEAD_LETTER_REDRIVE_MS; a failure leaves them dead)
 *   effects:redrive [--call CA...]
 *                              put dead-lettered call effects (Meta terminate/reject, media
 *                              close, set-up) back in the queue; a running instance retries them
 *
 * Add `--json` for machine-readable output.
 */
import 'reflect-metadata';
import { type ParseArgsConfig, parseArgs as parseArgv } from 'node:util';
import { ConfigError, loadEnv, postgresOptions } from '@parley/nest-kit';
import { DataSource } from 'typeorm';
import { AccountEntity } from '../accounts/account.entity';
import { AccountsService } from '../accounts/accounts.service';
import { DEV_ACCOUNT_NAME } from '../accounts/dev-account.bootstrap';
import { ApiKeyEntity } from '../api-keys/api-key.entity';
import { ApiKeysService } from '../api-keys/api-keys.service';
import { CallEffects } from '../calls/call-effects.service';
import { envSchema } from '../config/env.schema';
import { DeadLetterEntity } from '../dead-letters/dead-letter.entity';
import { DeadLetterAdmin } from '../dead-letters/dead-letters.admin';
import { WebhookInboxAdmin } from '../meta-webhooks/webhook-inbox.admin';
import { resealSecrets } from './reseal';
import { SecretBox } from '../secrets/secret-box';
import { service } from '../service';

export class UsageError extends Error {}

export interface CliIo {
  out(line: string): void;
}

type Flags = Record<string, string | true>;

/** Every option any command takes; anything else is a usage error. */
const OPTIONS = {
  name: { type: 'string' },
  sid: { type: 'string' },
  'auth-token': { type: 'string' },
  account: { type: 'string' },
  key: { type: 'string' },
  call: { type: 'string' },
  'show-token': { type: 'boolean' },
  id: { type: 'string' },
  all: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

export function parseArgs(argv: readonly string[]): { command: string | undefined; flags: Flags } {
  let parsed;
  try {
    parsed = parseArgv({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    // Node's first sentence names the option; the rest is advice about `--`.
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(message.split(/\.\s/)[0] ?? message);
  }
  const [command, unexpected] = parsed.positionals;
  if (unexpected !== undefined) throw new UsageError(`unexpected argument "${unexpected}"`);
  const flags: Flags = {};
  for (const [name, value] of Object.entries(parsed.values)) {
    if (typeof value === 'string') flags[name] = value;
    else if (value === true) flags[name] = true;
  }
  return { command, flags };
}

function text(flags: Flags, name: string, required: true): string;
function text(flags: Flags, name: string, required?: false): string | undefined;
function text(flags: Flags, name: string, required = false): string | undefined {
  const v = flags[name];
  if (v === undefined || v === true) {
    if (required) throw new UsageError(`--${name} is required`);
    return undefined;
  }
  return v;
}

const USAGE = `usage: cli.js <command> [--json]
  accounts:create --name <name> [--sid AC...] [--auth-token <32 hex>]
  accounts:list
  accounts:show --account AC... [--show-token]
  accounts:rotate-token --account AC...
  accounts:ensure-dev
  keys:create --account AC... [--name <name>]
  keys:list --account AC...
  keys:delete --account AC... --key SK...
  secrets:reseal
  webhooks:failed
  webhooks:redrive (--id <id,...> | --all)
  dead-letters:list [--all]
  dead-letters:redrive (--id <id,...> | --all)
  effects:redrive [--call CA...]`;

/** `--id 1,2,3` or `--all`, exactly one of them. */
function idsOrAll(flags: Flags): string[] | 'all' {
  const ids = text(flags, 'id');
  if ((ids === undefined) === (flags.all !== true))
    throw new UsageError('give either --id <id,...> or --all');
  if (ids === undefined) return 'all';
  const list = ids.split(',').map((id) => id.trim());
  if (!list.every((id) => /^\d{1,18}$/.test(id))) throw new UsageError('--id takes numeric ids');
  return list;
}

/** Runs one command; returns the process exit code. */
export async function runCli(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  io: CliIo,
): Promise<number> {
  const { command, flags } = parseArgs(argv);
  if (!command || command === 'help' || flags.help) {
    io.out(USAGE);
    return command ? 0 : 64;
  }
  const config = loadEnv('call-control', envSchema, env);
  const ds = new DataSource(
    postgresOptions({
      url: config.DATABASE_URL,
      applicationName: 'call-control/admin',
      database: service.database,
    }),
  );
  await ds.initialize();
  try {
    const box = SecretBox.fromBase64(config.PARLEY_SECRETS_KEY, config.PARLEY_SECRETS_DECRYPT_KEYS);
    const accounts = new AccountsService(ds.getRepository(AccountEntity), box);
    const keys = new ApiKeysService(ds.getRepository(ApiKeyEntity));
    const json = flags.json === true;
    const print = (record: Record<string, unknown>) => {
      if (json) io.out(JSON.stringify(record));
      else
        for (const [k, v] of Object.entries(record))
          io.out(`${k}: ${v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v)}`);
    };
    const account = async () => {
      const sid = text(flags, 'account', true);
      const found = await accounts.find(sid);
      if (!found) throw new UsageError(`no account ${sid}`);
      return found;
    };

    switch (command) {
      case 'accounts:create': {
        const authToken = text(flags, 'auth-token');
        const sid = text(flags, 'sid');
        if (sid !== undefined && !/^AC[0-9a-f]{32}$/.test(sid))
          throw new UsageError('--sid must be AC followed by 32 hex digits');
        if (authToken !== undefined && !/^[0-9a-f]{32}$/.test(authToken))
          throw new UsageError('--auth-token must be 32 hex digits');
        const created = await accounts.create({
          friendlyName: text(flags, 'name', true),
          ...(sid ? { sid } : {}),
          ...(authToken ? { authToken } : {}),
        });
        print({
          account_sid: created.account.sid,
          friendly_name: created.account.friendlyName,
          auth_token: created.authToken,
        });
        return 0;
      }
      case 'accounts:list': {
        const all = await accounts.list();
        if (json)
          io.out(
            JSON.stringify(
              all.map((a) => ({
                sid: a.sid,
                friendly_name: a.friendlyName,
                status: a.status,
                date_created: a.dateCreated.toISOString(),
              })),
            ),
          );
        else
          for (const a of all)
            io.out(
              `${a.sid}  ${a.status.padEnd(9)}  ${a.dateCreated.toISOString()}  ${a.friendlyName}`,
            );
        return 0;
      }
      case 'accounts:show': {
        const a = await account();
        print({
          account_sid: a.sid,
          friendly_name: a.friendlyName,
          status: a.status,
          date_created: a.dateCreated.toISOString(),
          ...(flags['show-token'] === true ? { auth_token: accounts.authToken(a) } : {}),
        });
        return 0;
      }
      case 'accounts:rotate-token': {
        const a = await account();
        print({ account_sid: a.sid, auth_token: await accounts.rotateAuthToken(a.sid) });
        return 0;
      }
      case 'accounts:ensure-dev': {
        let sid = config.PARLEY_DEV_ACCOUNT_SID;
        let authToken = config.PARLEY_DEV_AUTH_TOKEN;
        let outcome: string;
        if (sid && authToken) {
          outcome = await accounts.ensure({ sid, authToken, friendlyName: DEV_ACCOUNT_NAME });
        } else {
          const existing = await accounts.findByFriendlyName(DEV_ACCOUNT_NAME);
          if (existing) {
            sid = existing.sid;
            authToken = accounts.authToken(existing);
            outcome = 'unchanged';
          } else {
            const created = await accounts.create({ friendlyName: DEV_ACCOUNT_NAME });
            sid = created.account.sid;
            authToken = created.authToken;
            outcome = 'created';
          }
        }
        print({ account_sid: sid, auth_token: authToken, outcome });
        return 0;
      }
      case 'keys:create': {
        const a = await account();
        const created = await keys.create(a.sid, text(flags, 'name') ?? '');
        print({
          sid: created.key.sid,
          account_sid: a.sid,
          friendly_name: created.key.friendlyName,
          secret: created.secret,
        });
        return 0;
      }
      case 'keys:list': {
        const a = await account();
        const all = await keys.list(a.sid);
        if (json)
          io.out(
            JSON.stringify(
              all.map((k) => ({
                sid: k.sid,
                friendly_name: k.friendlyName,
                date_created: k.dateCreated.toISOString(),
              })),
            ),
          );
        else
          for (const k of all)
            io.out(`${k.sid}  ${k.dateCreated.toISOString()}  ${k.friendlyName}`);
        return 0;
      }
      case 'keys:delete': {
        const a = await account();
        await keys.delete(a.sid, text(flags, 'key', true));
        print({ deleted: text(flags, 'key', true) });
        return 0;
      }
      case 'secrets:reseal': {
        const report = await resealSecrets(ds, box);
        print({
          auth_tokens: report.authTokens,
          meta_access_tokens: report.metaAccessTokens,
          meta_app_secrets: report.metaAppSecrets,
          unchanged: report.unchanged,
        });
        return 0;
      }
      case 'webhooks:failed': {
        const rows = (await new WebhookInboxAdmin(ds).listFailed()).map((w) => ({
          id: w.id,
          kind: w.kind,
          phone_number_id: w.phoneNumberId,
          attempts: w.attempts,
          received_at: w.receivedAt.toISOString(),
          last_error: w.lastError,
        }));
        if (json) io.out(JSON.stringify(rows));
        else
          for (const r of rows)
            io.out(`${r.id}  ${r.kind.padEnd(16)}  ${r.received_at}  ${r.last_error ?? ''}`);
        return 0;
      }
      case 'webhooks:redrive': {
        const report = await new WebhookInboxAdmin(ds).redrive(idsOrAll(flags));
        print({
          requeued: report.requeued,
          reparsed: report.reparsed,
          still_unparsable: report.stillUnparsable,
        });
        return 0;
      }
      case 'dead-letters:list': {
        const letters = await new DeadLetterAdmin(ds.getRepository(DeadLetterEntity)).list(
          flags.all === true,
        );
        const rows = letters.map((d) => ({
          id: d.id,
          consumer: d.consumer,
          status: d.status,
          deliveries: d.deliveries,
          redrive_attempts: d.redriveAttempts,
          created_at: d.createdAt.toISOString(),
          last_error: d.lastError,
        }));
        if (json) io.out(JSON.stringify(rows));
        else
          for (const r of rows)
            io.out(
              `${r.id}  ${r.status.padEnd(8)}  ${r.consumer}  ${r.created_at}  ${r.last_error}`,
            );
        return 0;
      }
      case 'dead-letters:redrive': {
        const marked = await new DeadLetterAdmin(ds.getRepository(DeadLetterEntity)).markForRedrive(
          idsOrAll(flags),
        );
        print({ marked_for_redrive: marked });
        return 0;
      }
      case 'effects:redrive': {
        const callSid = text(flags, 'call');
        if (callSid !== undefined && !/^CA[0-9a-f]{32}$/.test(callSid))
          throw new UsageError('--call must be CA followed by 32 hex digits');
        print({ redriven: await CallEffects.redrive(ds, callSid) });
        return 0;
      }
      default:
        throw new UsageError(`unknown command "${command}"\n${USAGE}`);
    }
  } finally {
    await ds.destroy();
  }
}

if (require.main === module) {
  runCli(process.argv.slice(2), process.env, {
    out: (line) => process.stdout.write(`${line}\n`),
  }).then(
    (code) => process.exit(code),
    (error: unknown) => {
      if (error instanceof UsageError) {
        process.stderr.write(`${error.message}\n`);
        process.exit(64); // EX_USAGE
      }
      if (error instanceof ConfigError) {
        process.stderr.write(`${error.message}\n`);
        process.exit(78); // EX_CONFIG
      }
      process.stderr.write(
        `call-control admin: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      process.exit(1);
    },
  );
}

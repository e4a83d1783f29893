import { readFileSync, writeFileSync } from 'node:fs';
import { type ParseArgsConfig, parseArgs as parseArgv } from 'node:util';
import { MetaSimClient } from '../client/meta-sim-client';
import type { BehaviourPatch } from '../sim/inputs';
import { runDemoCall } from './demo-call';
import { TEMPLATE_STATUSES } from '../sim/templates';

/** Every option any command takes; anything else is a usage error. */
const STRING_FLAGS = [
  'url',
  'access-token',
  'action',
  'answer-after-ms',
  'app-secret',
  'business',
  'call-id',
  'callback-permission',
  'calling-status',
  'display-number',
  'duration-ms',
  'edge',
  'from-user',
  'gap-ms',
  'hangup-after-ms',
  'kind',
  'listen-ms',
  'name',
  'on-incoming',
  'out',
  'permission-reply',
  'phone-number-id',
  'press',
  'reason',
  'state',
  'status',
  'timeout-ms',
  'to-business',
  'tone-hz',
  'verify-token',
  'wa-id',
  'waba-id',
  'wav',
  'webhook-url',
] as const;
const BOOLEAN_FLAGS = ['permanent', 'stop', 'no-speak', 'help'] as const;
const OPTIONS: NonNullable<ParseArgsConfig['options']> = {};
for (const name of STRING_FLAGS) OPTIONS[name] = { type: 'string' };
for (const name of BOOLEAN_FLAGS) OPTIONS[name] = { type: 'boolean' };

export const USAGE = `meta-sim: drive the WhatsApp Cloud API simulator

usage: meta-sim [--url http://127.0.0.1:4010] <command> [arguments]
       (--url defaults to $META_SIM_URL, else http://127.0.0.1:4010; output is JSON)

  status                                   counts, simulated time
  reset                                    clear everything, re-apply the start-up seed
  clock                                    simulated time
  clock:advance <duration>                 e.g. 25h, 7d, 1d2h, 90m, 1500ms

  businesses:list
  businesses:create --display-number N --webhook-url URL [--phone-number-id ID] [--waba-id ID]
                    [--access-token T] [--app-secret S] [--verify-token V] [--name NAME]
                    [--callback-permission ENABLED|DISABLED]
  businesses:update <phone-number-id> [--webhook-url URL] [--calling-status ENABLED|DISABLED]
                    [--callback-permission ENABLED|DISABLED]
  businesses:verify-webhook <phone-number-id>

  users:list
  users:create --wa-id N [--name NAME] [behaviour flags]
  users:behaviour --wa-id N [behaviour flags]
      behaviour flags: --on-incoming answer|reject|ignore  --answer-after-ms N  --tone-hz N | --no-speak
                       --permission-reply accept|reject|none  --permanent  --hangup-after-ms N|none

  call --from-user WA_ID --to-business PHONE_NUMBER_ID
  calls [--status S] [--wa-id N] [--phone-number-id ID]
  call:get <call-id>
  call:wav <call-id> --out FILE            what the user heard, mono 48 kHz WAV
  hangup <call-id>
  digits <call-id> <digits> [--duration-ms N] [--gap-ms N]
  speak <call-id> --tone-hz N | --wav FILE | --stop
  demo-call --from-user WA_ID --to-business PHONE_NUMBER_ID [--press 2] [--out call.wav]
            [--listen-ms 4000] [--timeout-ms 60000]
      the user calls, waits for media and the greeting, waits for the menu to finish,
      presses the key(s), listens, hangs up and saves what it heard (progress on stderr)

  permissions:grant --wa-id N --business PHONE_NUMBER_ID [--permanent]
  permissions:revoke --wa-id N --business PHONE_NUMBER_ID
  permissions:get --wa-id N --business PHONE_NUMBER_ID

  templates                                the WABAs' message templates
  template:status <template-id> APPROVED|REJECTED|PAUSED|DISABLED|PENDING [--reason R]
                                           Meta's review: sends the signed status webhook

  graph-requests [--phone-number-id ID] [--edge calls|messages|settings] [--action connect|...]
  webhooks [--phone-number-id ID] [--state pending|delivered|failed] [--kind K] [--call-id ID]
`;

export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}

interface ParsedArgs {
  positional: string[];
  flags: Map<string, string | true>;
}

export function parseArgs(argv: string[]): ParsedArgs {
  let parsed;
  try {
    parsed = parseArgv({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    // Node's first sentence names the option; the rest is advice about `--`.
    const message = error instanceof Error ? error.message : String(error);
    throw new CliUsageError(message.split(/\.\s/)[0] ?? message);
  }
  const flags = new Map<string, string | true>();
  for (const [name, value] of Object.entries(parsed.values)) {
    if (typeof value === 'string') flags.set(name, value);
    else if (value === true) flags.set(name, true);
  }
  return { positional: parsed.positionals, flags };
}

class Args {
  constructor(private readonly parsed: ParsedArgs) {}

  positional(index: number, name: string): string {
    const value = this.parsed.positional[index];
    if (value === undefined) throw new CliUsageError(`missing <${name}>`);
    return value;
  }

  optional(name: string): string | undefined {
    const value = this.parsed.flags.get(name);
    if (value === true) throw new CliUsageError(`--${name} needs a value`);
    return value;
  }

  required(name: string): string {
    const value = this.optional(name);
    if (value === undefined) throw new CliUsageError(`missing --${name}`);
    return value;
  }

  number(name: string): number | undefined {
    const value = this.optional(name);
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isFinite(n)) throw new CliUsageError(`--${name} must be a number`);
    return n;
  }

  has(name: string): boolean {
    return this.parsed.flags.has(name);
  }
}

function oneOf<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  name: string,
): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new CliUsageError(`--${name} must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

const ENABLED = ['ENABLED', 'DISABLED'] as const;

function behaviourFrom(args: Args): BehaviourPatch {
  const patch: BehaviourPatch = {};
  const incoming = oneOf(
    args.optional('on-incoming'),
    ['answer', 'reject', 'ignore'] as const,
    'on-incoming',
  );
  if (incoming !== undefined) patch.onIncomingCall = incoming;
  const after = args.number('answer-after-ms');
  if (after !== undefined) patch.answerAfterMs = after;
  const tone = args.number('tone-hz');
  if (tone !== undefined) patch.speak = { toneHz: tone };
  if (args.has('no-speak')) patch.speak = null;
  const reply = oneOf(
    args.optional('permission-reply'),
    ['accept', 'reject', 'none'] as const,
    'permission-reply',
  );
  if (reply !== undefined) patch.permissionReply = reply;
  if (args.has('permanent')) patch.permanent = true;
  const hangup = args.optional('hangup-after-ms');
  if (hangup !== undefined)
    patch.hangupAfterMs = hangup === 'none' ? null : (args.number('hangup-after-ms') ?? null);
  return patch;
}

/**
 * Runs one CLI command against a simulator and returns what to print (JSON text). Throws
 * CliUsageError for bad arguments and MetaSimClientError for refused requests.
 */
export async function runCli(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
): Promise<string> {
  const parsed = parseArgs(argv);
  const url =
    (parsed.flags.get('url') as string | undefined) ?? env.META_SIM_URL ?? 'http://127.0.0.1:4010';
  parsed.flags.delete('url');
  const [command, ...rest] = parsed.positional;
  if (!command || parsed.flags.has('help') || command === 'help') return USAGE;
  const args = new Args({ positional: rest, flags: parsed.flags });
  const client = new MetaSimClient(url);
  const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

  switch (command) {
    case 'status':
      return json(await client.status());
    case 'reset':
      await client.reset();
      return json({ ok: true });
    case 'clock':
      return json(await client.now());
    case 'clock:advance':
      return json(await client.advanceClock(args.positional(0, 'duration')));
    case 'businesses:list':
      return json(await client.listBusinesses());
    case 'businesses:create': {
      const callback = oneOf(args.optional('callback-permission'), ENABLED, 'callback-permission');
      return json(
        await client.createBusiness({
          displayPhoneNumber: args.required('display-number'),
          webhookUrl: args.required('webhook-url'),
          phoneNumberId: args.optional('phone-number-id'),
          wabaId: args.optional('waba-id'),
          verifiedName: args.optional('name'),
          accessToken: args.optional('access-token'),
          appSecret: args.optional('app-secret'),
          verifyToken: args.optional('verify-token'),
          ...(callback === undefined ? {} : { calling: { callback_permission_status: callback } }),
        }),
      );
    }
    case 'businesses:update': {
      const status = oneOf(args.optional('calling-status'), ENABLED, 'calling-status');
      const callback = oneOf(args.optional('callback-permission'), ENABLED, 'callback-permission');
      const calling = {
        ...(status === undefined ? {} : { status }),
        ...(callback === undefined ? {} : { callback_permission_status: callback }),
      };
      const webhookUrl = args.optional('webhook-url');
      return json(
        await client.updateBusiness(args.positional(0, 'phone-number-id'), {
          ...(webhookUrl === undefined ? {} : { webhookUrl }),
          ...(Object.keys(calling).length === 0 ? {} : { calling }),
        }),
      );
    }
    case 'businesses:verify-webhook':
      return json(await client.verifyWebhook(args.positional(0, 'phone-number-id')));
    case 'users:list':
      return json(await client.listUsers());
    case 'users:create':
      return json(
        await client.createUser({
          waId: args.required('wa-id'),
          name: args.optional('name'),
          behaviour: behaviourFrom(args),
        }),
      );
    case 'users:behaviour':
      return json(await client.setBehaviour(args.required('wa-id'), behaviourFrom(args)));
    case 'call':
      return json(await client.userCall(args.required('from-user'), args.required('to-business')));
    case 'calls':
      return json(
        await client.listCalls({
          status: oneOf(
            args.optional('status'),
            ['ringing', 'pre_accepted', 'accepted', 'ended', 'refused'] as const,
            'status',
          ),
          waId: args.optional('wa-id'),
          phoneNumberId: args.optional('phone-number-id'),
        }),
      );
    case 'call:get':
      return json(await client.getCall(args.positional(0, 'call-id')));
    case 'call:wav': {
      const out = args.required('out');
      const wav = await client.getReceivedWav(args.positional(0, 'call-id'));
      writeFileSync(out, wav);
      return json({ written: out, bytes: wav.length });
    }
    case 'hangup':
      return json(await client.userHangup(args.positional(0, 'call-id')));
    case 'demo-call': {
      const out = args.optional('out') ?? 'call.wav';
      const press = args.optional('press') ?? '2';
      if (!/^[0-9*#]+$/.test(press)) throw new CliUsageError('--press must be keys 0-9, * or #');
      const report = await runDemoCall(
        client,
        {
          fromUser: args.required('from-user'),
          toBusiness: args.required('to-business'),
          press,
          listenMs: args.number('listen-ms') ?? 4_000,
          timeoutMs: args.number('timeout-ms') ?? 60_000,
        },
        (line) => process.stderr.write(`demo-call: ${line}\n`),
      );
      writeFileSync(out, report.wav);
      const { wav, ...rest } = report;
      return json({ ...rest, written: out, bytes: wav.length });
    }
    case 'digits':
      return json(
        await client.userSendDigits(args.positional(0, 'call-id'), args.positional(1, 'digits'), {
          durationMs: args.number('duration-ms'),
          gapMs: args.number('gap-ms'),
        }),
      );
    case 'speak': {
      const callId = args.positional(0, 'call-id');
      const tone = args.number('tone-hz');
      const wav = args.optional('wav');
      if (tone !== undefined) return json(await client.userSpeak(callId, { toneHz: tone }));
      if (wav !== undefined)
        return json(
          await client.userSpeak(callId, { wavBase64: readFileSync(wav).toString('base64') }),
        );
      if (args.has('stop')) return json(await client.userSpeak(callId, null));
      throw new CliUsageError('speak needs --tone-hz N, --wav FILE or --stop');
    }
    case 'permissions:grant':
      return json(
        await client.grantPermission(args.required('wa-id'), args.required('business'), {
          permanent: args.has('permanent'),
        }),
      );
    case 'permissions:revoke':
      return json(await client.revokePermission(args.required('wa-id'), args.required('business')));
    case 'permissions:get':
      return json(await client.getPermission(args.required('wa-id'), args.required('business')));
    case 'templates':
      return json(await client.listTemplates());
    case 'template:status': {
      const status = oneOf(args.positional(1, 'status'), TEMPLATE_STATUSES, 'status');
      if (!status) throw new CliUsageError('missing <status>');
      return json(
        await client.setTemplateStatus(
          args.positional(0, 'template-id'),
          status,
          args.optional('reason'),
        ),
      );
    }
    case 'graph-requests':
      return json(
        await client.listGraphRequests({
          phoneNumberId: args.optional('phone-number-id'),
          edge: args.optional('edge'),
          action: args.optional('action'),
        }),
      );
    case 'webhooks':
      return json(
        await client.listWebhookDeliveries({
          phoneNumberId: args.optional('phone-number-id'),
          state: oneOf(
            args.optional('state'),
            ['pending', 'delivered', 'failed'] as const,
            'state',
          ),
          kind: args.optional('kind'),
          callId: args.optional('call-id'),
        }),
      );
    default:
      throw new CliUsageError(`unknown command ${JSON.stringify(command)}`);
  }
}

import { join } from 'node:path';
import { type ServiceName } from '@parley/contracts';
import { MetaSimClient, type BusinessRecord } from '@parley/meta-sim';
import {
  createTestDatabase,
  createTestNatsNamespace,
  type TestDatabase,
  type TestNatsNamespace,
} from '@parley/nest-kit/testing';
import twilio from 'twilio';
import RequestClient from 'twilio/lib/base/RequestClient';
import {
  crashAndRestart,
  freePort,
  migrate,
  startProcess,
  startService,
  type ServiceProcess,
} from './processes';

const ROOT = join(__dirname, '..', '..', '..');

export interface UntilOptions {
  /** How long to keep probing; generous because CI runs on a machine with both cores busy. */
  timeoutMs?: number;
  intervalMs?: number;
  /** Treat a probe that throws as "not yet" (a service being restarted, say). */
  ignoreErrors?: boolean;
}

/**
 * Polls `probe` until it returns something other than `undefined` and returns that: tests
 * wait for the exact state they assert, never for a length of time.
 */
export async function until<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  { timeoutMs = 30_000, intervalMs = 50, ignoreErrors = false }: UntilOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = ignoreErrors
      ? await Promise.resolve()
          .then(probe)
          .catch(() => undefined)
      : await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** The environment every e2e service process gets; `extra` adds to or overrides it. */
export function serviceEnv(
  db: TestDatabase,
  nats: TestNatsNamespace,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    DATABASE_URL: db.url,
    ...nats.env,
    SHUTDOWN_GRACE_MS: '2000',
    MEDIASOUP_NUM_WORKERS: '1',
    ...(process.env.MEDIASOUP_WORKER_BIN
      ? { MEDIASOUP_WORKER_BIN: process.env.MEDIASOUP_WORKER_BIN }
      : {}),
    ...extra,
  };
}

/** Starts the built WhatsApp simulator on a free port and waits until it answers. */
export async function startSimulator(extra: Record<string, string> = {}): Promise<ServiceProcess> {
  const port = await freePort();
  return startProcess('meta-sim', join(ROOT, 'test', 'meta-sim', 'dist', 'main.js'), {
    env: {
      PATH: process.env.PATH ?? '',
      META_SIM_PORT: String(port),
      META_SIM_LOG_LEVEL: 'warn',
      ...extra,
    },
    readyUrl: `http://127.0.0.1:${port}/sim/v1/status`,
    url: `http://127.0.0.1:${port}`,
  });
}

/** The official SDK, unchanged, with every Twilio host rewritten to Parley's one base URL. */
export class ParleyRequestClient extends RequestClient {
  constructor(private readonly parleyUrl: string) {
    super();
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    return super.request<TData>({
      ...opts,
      uri: opts.uri.replace(/^https:\/\/(api|messaging|content)\.twilio\.com/, this.parleyUrl),
    });
  }
}

export interface StackOptions {
  /** Names this file's database and NATS namespace. */
  name: string;
  accountSid: string;
  authToken: string;
  /** Started in this order, each migrated first; call-control must be among them. */
  services: readonly ServiceName[];
  /** Added to (or overriding) every service's environment. */
  env?: Record<string, string>;
  /** The simulator's environment (META_SIM_*). */
  simulatorEnv?: Record<string, string>;
}

export interface RestResponse {
  status: number;
  body: Record<string, unknown>;
}

export interface SenderOptions {
  /** The business's display number, digits only. */
  number: string;
  /** Makes an Application with this VoiceUrl and sets it as the sender's voice application. */
  voiceUrl?: string;
  /** The Application's other fields (StatusCallback, VoiceFallbackUrl, ...). */
  application?: Record<string, string>;
  /** The sender's messaging `webhook` object. */
  webhook?: Record<string, string>;
  profileName?: string;
}

export interface Sender extends BusinessRecord {
  applicationSid: string | undefined;
}

/**
 * One e2e file's Parley: its own database and NATS namespace, the simulator and the chosen
 * services as built processes, and the calls every file makes to set a business up.
 * Every address the tests serve is on loopback, which production refuses (SSRF policy), so
 * loopback is allow-listed for every outbound kind.
 */
export class Stack {
  readonly processes = new Map<ServiceName, ServiceProcess>();

  private constructor(
    readonly options: StackOptions,
    readonly db: TestDatabase,
    readonly nats: TestNatsNamespace,
    readonly sim: ServiceProcess,
    readonly simClient: MetaSimClient,
    readonly env: Record<string, string>,
  ) {}

  static async start(options: StackOptions): Promise<Stack> {
    const db = await createTestDatabase(`e2e_${options.name}`);
    const nats = await createTestNatsNamespace(`e2e_${options.name}`);
    const sim = await startSimulator(options.simulatorEnv);
    const env = serviceEnv(db, nats, {
      META_GRAPH_BASE_URL: sim.url,
      // The simulator's users have fictional 555 numbers.
      WHATSAPP_NUMBER_CHECK: 'possible',
      TWIML_FETCH_ALLOW_PRIVATE_NETWORKS: '127.0.0.1/32',
      MEDIA_FETCH_ALLOW_PRIVATE_NETWORKS: '127.0.0.1/32',
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: '127.0.0.1/32',
      OUTBOUND_URL_ALLOW_PRIVATE_NETWORKS: '127.0.0.1/32',
      MEDIA_STREAM_ALLOW_PRIVATE_NETWORKS: '127.0.0.1/32',
      PARLEY_DEV_ACCOUNT_SID: options.accountSid,
      PARLEY_DEV_AUTH_TOKEN: options.authToken,
      ...options.env,
    });
    const stack = new Stack(options, db, nats, sim, new MetaSimClient(sim.url), env);
    try {
      for (const name of options.services) {
        await migrate(name, env);
        stack.processes.set(name, await startService(name, env));
      }
      if (!stack.processes.has('call-control')) throw new Error('a stack needs call-control');
    } catch (error) {
      await stack.stop();
      throw error;
    }
    return stack;
  }

  /** call-control's base URL: the REST API and Meta's webhooks. */
  get api(): string {
    return this.processes.get('call-control')!.url;
  }

  get authorization(): string {
    const { accountSid, authToken } = this.options;
    return `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
  }

  /** A REST request with the account's credentials; a form body when `body` is given. */
  async rest(method: string, path: string, body?: Record<string, string>): Promise<RestResponse> {
    const res = await fetch(`${this.api}${path}`, {
      method,
      headers: {
        authorization: this.authorization,
        ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: body ? new URLSearchParams(body).toString() : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  /** As `rest`, but a non-2xx answer fails the test with what Parley said. */
  async restOk<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: Record<string, string>,
  ): Promise<T> {
    const res = await this.rest(method, path, body);
    if (res.status >= 300)
      throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as T;
  }

  /** `/2010-04-01/Accounts/{AccountSid}` + `path`. */
  accountPath(path: string): string {
    return `/2010-04-01/Accounts/${this.options.accountSid}${path}`;
  }

  /** The official `twilio` SDK pointed at this stack. */
  twilio(): twilio.Twilio {
    const { accountSid, authToken } = this.options;
    return twilio(accountSid, authToken, { httpClient: new ParleyRequestClient(this.api) });
  }

  /**
   * A business number on Meta's side (the simulator, webhooks to call-control) registered as
   * the account's WhatsApp sender, with a voice application when `voiceUrl` is given.
   */
  async sender(opts: SenderOptions): Promise<Sender> {
    const business = await this.simClient.createBusiness({
      displayPhoneNumber: opts.number,
      webhookUrl: `${this.api}/meta/webhooks`,
    });
    let applicationSid: string | undefined;
    if (opts.voiceUrl !== undefined) {
      const application = await this.restOk<{ sid: string }>(
        'POST',
        this.accountPath('/Applications.json'),
        { FriendlyName: `e2e ${opts.number}`, VoiceUrl: opts.voiceUrl, ...opts.application },
      );
      applicationSid = application.sid;
    }
    const res = await fetch(`${this.api}/v2/Channels/Senders`, {
      method: 'POST',
      headers: { authorization: this.authorization, 'content-type': 'application/json' },
      body: JSON.stringify({
        sender_id: `whatsapp:+${opts.number}`,
        configuration: {
          waba_id: business.wabaId,
          phone_number_id: business.phoneNumberId,
          access_token: business.accessToken,
          app_secret: business.appSecret,
          ...(applicationSid ? { voice_application_sid: applicationSid } : {}),
        },
        ...(opts.webhook ? { webhook: opts.webhook } : {}),
        ...(opts.profileName ? { profile: { name: opts.profileName } } : {}),
      }),
    });
    if (res.status !== 201)
      throw new Error(`sender ${opts.number}: ${res.status} ${await res.text()}`);
    return { ...business, applicationSid };
  }

  /** The consent ledger's view of a (business, user) pair. */
  async callPermission(businessNumber: string, user: string): Promise<Record<string, unknown>> {
    const to = encodeURIComponent(`whatsapp:+${user}`);
    const from = encodeURIComponent(`whatsapp:+${businessNumber}`);
    return this.restOk('GET', this.accountPath(`/CallPermissions/${to}.json?From=${from}`));
  }

  /**
   * The user grants the business call permission the way WhatsApp reports it (Meta's
   * `call_permission_reply` webhook), and consent has recorded it.
   */
  async grantPermission(
    sender: Pick<Sender, 'phoneNumberId' | 'displayPhoneNumber'>,
    user: string,
    { permanent = true }: { permanent?: boolean } = {},
  ): Promise<void> {
    await this.simClient.grantPermission(user, sender.phoneNumberId, { permanent });
    const expected = permanent ? 'permanent' : 'temporary';
    await until(`consent to record ${user}'s ${expected} grant`, async () =>
      (await this.callPermission(sender.displayPhoneNumber, user)).status === expected
        ? true
        : undefined,
    );
  }

  /** A REST call's status once it is final. */
  callEnded(callSid: string): Promise<string> {
    return until(`call ${callSid} to end`, async () => {
      const call = await this.restOk('GET', this.accountPath(`/Calls/${callSid}.json`));
      const status = String(call.status);
      return ['completed', 'busy', 'no-answer', 'failed', 'canceled'].includes(status)
        ? status
        : undefined;
    });
  }

  /**
   * Kills a service with SIGKILL (no shutdown hook runs) and starts it again on the same
   * port with the same environment; `whileDown` runs in between.
   */
  async crashAndRestart(
    name: ServiceName,
    whileDown?: () => Promise<void>,
  ): Promise<ServiceProcess> {
    const running = this.processes.get(name);
    if (!running) throw new Error(`${name} is not part of this stack`);
    const restarted = await crashAndRestart(running, this.env, whileDown);
    this.processes.set(name, restarted);
    return restarted;
  }

  /** SIGTERM to every process, then the database and namespace dropped. */
  async stop(): Promise<void> {
    const all = [...this.processes.values(), this.sim];
    for (const p of all) if (p.child.exitCode === null) p.child.kill('SIGTERM');
    await Promise.all(all.map((p) => p.exited));
    await this.nats.drop();
    await this.db.drop();
  }
}

import { createServer, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import {
  type CallStatusChangedV1,
  type NatsBus,
  type SessionStartRequestV1,
  streams,
} from '@parley/contracts';
import { BusinessMediaPeer, MetaSimClient } from '@parley/meta-sim';
import {
  createTestDatabase,
  createTestNatsNamespace,
  type TestDatabase,
  type TestNatsNamespace,
} from '@parley/nest-kit/testing';
import { AckPolicy, connect, DeliverPolicy, type NatsConnection } from 'nats';
import { crashAndRestart, migrate, startService, type ServiceProcess } from './processes';
import { startSimulator, until as waitUntil } from './stack';

const ACCOUNT_SID = 'AC0c4a0500000000000000000000000001';
const AUTH_TOKEN = '0c4a0500000000000000000000000001';
const BUSINESS_NUMBER = '15550100301';

/** Probes may hit call-control while it is down: an error is "not yet". */
const until = <T>(what: string, probe: () => T | undefined | Promise<T | undefined>) =>
  waitUntil(what, probe, { timeoutMs: 60_000, intervalMs: 100, ignoreErrors: true });

/**
 * Relays call-control's Graph requests to the simulator; while `holding`, `terminate`
 * requests are held unanswered (Meta slow), so a crash can land between the commit of a
 * call's end and Meta hearing of it.
 */
class HoldingGraph {
  holding = false;
  readonly held: string[] = [];
  private server: Server | undefined;
  constructor(private readonly target: string) {}

  get url(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.relay(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private async relay(req: IncomingMessage, res: import('node:http').ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    if (req.method === 'POST' && this.holding) {
      const parsed = JSON.parse(body.toString() || '{}') as { action?: string; call_id?: string };
      if (parsed.action === 'terminate') {
        this.held.push(parsed.call_id ?? '');
        return; // never answered: the caller is killed while it waits
      }
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers))
      if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v;
    const up = await fetch(this.target + (req.url ?? '/'), {
      method: req.method ?? 'GET',
      headers,
      ...(req.method === 'GET' ? {} : { body }),
    });
    res.writeHead(up.status, { 'content-type': up.headers.get('content-type') ?? 'text/plain' });
    res.end(Buffer.from(await up.arrayBuffer()));
  }
}

/** Every status event of a call in JetStream, with its de-duplication id. */
async function statusEvents(
  bus: NatsBus,
  callSid: string,
): Promise<{ sequence: number; status: string; msgId: string | undefined }[]> {
  const nc = bus.connection;
  const stream = bus.jetStreamName(streams.find((s) => s.name === 'PARLEY_CALLS')!.name);
  const jsm = await nc.jetstreamManager();
  const name = `chaos_${Math.random().toString(36).slice(2, 10)}`;
  await jsm.consumers.add(stream, {
    name,
    ack_policy: AckPolicy.None,
    deliver_policy: DeliverPolicy.All,
    filter_subject: bus.wireSubject('calls.v1.call.status-changed'),
  });
  const consumer = await nc.jetstream().consumers.get(stream, name);
  const out: { sequence: number; status: string; msgId: string | undefined }[] = [];
  let pending = (await consumer.info()).num_pending;
  while (pending > 0) {
    const batch = await consumer.fetch({ max_messages: Math.min(pending, 256), expires: 2_000 });
    let got = 0;
    for await (const m of batch) {
      got++;
      const e = m.json<CallStatusChangedV1>();
      if (e.callSid === callSid)
        out.push({ sequence: e.sequence, status: e.status, msgId: m.headers?.get('Nats-Msg-Id') });
    }
    if (!got) break;
    pending -= got;
  }
  await jsm.consumers.delete(stream, name);
  return out;
}

/**
 * Chaos: call-control (a built process) is killed with SIGKILL while calls are live and
 * while Meta is being told of an ending; media and the interpreter are stand-ins on NATS
 * (media with the simulator's real WebRTC peer), the simulator is a process.
 */
describe('call-control killed with SIGKILL mid-call', () => {
  let db: TestDatabase;
  let nats: TestNatsNamespace;
  let nc: NatsConnection;
  let bus: NatsBus;
  let sim: ServiceProcess;
  let simClient: MetaSimClient;
  let graph: HoldingGraph;
  let callControl: ServiceProcess;
  let env: NodeJS.ProcessEnv;
  let phoneNumberId: string;
  const sessions: SessionStartRequestV1[] = [];
  const legs = new Map<string, BusinessMediaPeer>();
  const auth = `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`;

  const api = async (method: string, path: string, body?: Record<string, string>) => {
    const res = await fetch(`${callControl.url}${path}`, {
      method,
      headers: {
        authorization: auth,
        ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(body ? { body: new URLSearchParams(body).toString() } : {}),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const callStatus = async (sid: string) =>
    (await api('GET', `/2010-04-01/Accounts/${ACCOUNT_SID}/Calls/${sid}.json`)).body.status;

  /** A user calls; the interpreter stand-in gets it and accepts it: in progress. */
  const liveCall = async (waId: string) => {
    await simClient.createUser({ waId });
    const { callId } = await simClient.userCall(waId, phoneNumberId);
    const session = await until('the session', () =>
      sessions.find((s) => s.parameters.From === `whatsapp:+${waId}`),
    );
    await bus.request('calls.v1.call.accept', { callSid: session.callSid }, { timeoutMs: 15_000 });
    return { sid: session.callSid, metaCallId: callId };
  };

  beforeAll(async () => {
    db = await createTestDatabase('chaos_cc');
    nats = await createTestNatsNamespace('chaos_cc');
    nc = await connect({ servers: nats.url });
    bus = nats.bus(nc, { source: 'chaos/test' });
    // The stand-in media peer's audio is not what is tested here, and a restart on a
    // loaded machine takes longer than Meta's 20 s media timeout.
    sim = await startSimulator({ META_SIM_MEDIA_TIMEOUT_MS: '600000' });
    simClient = new MetaSimClient(sim.url);
    graph = new HoldingGraph(sim.url);
    await graph.start();

    // Stand-ins for media (a real WebRTC peer per leg) and the interpreter.
    bus.handle('media.v1.leg.answer', async (req) => {
      const peer = await BusinessMediaPeer.create();
      legs.set(req.callSid, peer);
      const sdpAnswer = await peer.answerOffer(req.sdpOffer);
      peer.startTone(440);
      return { sdpAnswer };
    });
    bus.handle('media.v1.leg.close', async (req) => {
      const peer = legs.get(req.callSid);
      legs.delete(req.callSid);
      await peer?.close();
      return { closed: !!peer };
    });
    bus.handle('twiml.v1.session.start', (req) => {
      sessions.push(req);
      return Promise.resolve({ accepted: true as const });
    });

    env = {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      DATABASE_URL: db.url,
      ...nats.env,
      INSTANCE_ID: 'chaos-call-control',
      SHUTDOWN_GRACE_MS: '2000',
      META_GRAPH_BASE_URL: graph.url,
      META_GRAPH_TIMEOUT_MS: '60000',
      CALL_EFFECT_POLL_MS: '200',
      OUTBOX_SWEEP_MS: '300',
      PARLEY_DEV_ACCOUNT_SID: ACCOUNT_SID,
      PARLEY_DEV_AUTH_TOKEN: AUTH_TOKEN,
    };
    await migrate('call-control', env);
    callControl = await startService('call-control', env);

    const business = await simClient.createBusiness({
      displayPhoneNumber: BUSINESS_NUMBER,
      webhookUrl: `${callControl.url}/meta/webhooks`,
    });
    phoneNumberId = business.phoneNumberId;
    const application = await api('POST', `/2010-04-01/Accounts/${ACCOUNT_SID}/Applications.json`, {
      FriendlyName: 'chaos',
      VoiceUrl: 'https://example.com/voice',
    });
    const sender = await fetch(`${callControl.url}/v2/Channels/Senders`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        sender_id: `whatsapp:+${BUSINESS_NUMBER}`,
        configuration: {
          waba_id: business.wabaId,
          phone_number_id: business.phoneNumberId,
          access_token: business.accessToken,
          app_secret: business.appSecret,
          voice_application_sid: application.body.sid,
        },
      }),
    });
    expect(sender.status).toBe(201);
  }, 300_000);

  afterAll(async () => {
    for (const p of [callControl, sim]) if (p && p.child.exitCode === null) p.child.kill('SIGTERM');
    await Promise.all([callControl, sim].filter(Boolean).map((p) => p.exited));
    await Promise.allSettled([...legs.values()].map((p) => p.close()));
    await graph?.stop();
    await nc?.drain();
    await nats?.drop();
    await db?.drop();
  }, 60_000);

  it('ends at Meta a call whose end was committed when call-control was killed, keeps live calls live, and publishes each status once', async () => {
    const ending = await liveCall('15550100311');
    const surviving = await liveCall('15550100312');

    // Hang up one call while Meta is slow to take the terminate; kill call-control while
    // it waits (the end is committed, Meta not told).
    graph.holding = true;
    const hangup = api('POST', `/2010-04-01/Accounts/${ACCOUNT_SID}/Calls/${ending.sid}.json`, {
      Status: 'completed',
    }).catch(() => undefined);
    await until('the terminate to reach Meta', () =>
      graph.held.includes(ending.metaCallId) ? true : undefined,
    );
    callControl = await crashAndRestart(callControl, env, () => {
      graph.holding = false;
      return Promise.resolve();
    });
    await hangup;

    // After the restart: Meta is told, the call is completed.
    const endedAtMeta = await until('Meta to end the call', async () => {
      const c = await simClient.getCall(ending.metaCallId);
      return c.status === 'ended' ? c : undefined;
    });
    expect(endedAtMeta.endReason).toBe('business_terminate');
    expect(await callStatus(ending.sid)).toBe('completed');

    // The call nobody ended is still up on both sides, and ends normally afterwards.
    expect(await callStatus(surviving.sid)).toBe('in-progress');
    expect((await simClient.getCall(surviving.metaCallId)).status).not.toBe('ended');
    await simClient.userHangup(surviving.metaCallId);
    await until('the surviving call to complete', async () =>
      (await callStatus(surviving.sid)) === 'completed' ? true : undefined,
    );

    // Each status event was published, once per sequence number.
    for (const call of [ending, surviving]) {
      const events = await until<{ sequence: number; status: string; msgId: string | undefined }[]>(
        'ringing, in-progress and completed published',
        async () => {
          const e = await statusEvents(bus, call.sid);
          return e.some((x) => x.status === 'completed') ? e : undefined;
        },
      );
      expect(events.map((e) => [e.sequence, e.status, e.msgId])).toEqual([
        [0, 'ringing', `${call.sid}:0`],
        [1, 'in-progress', `${call.sid}:1`],
        [2, 'completed', `${call.sid}:2`],
      ]);
    }
  });
});

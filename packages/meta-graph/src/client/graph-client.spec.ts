import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { MetaGraphError, twilioCodeForMeta } from './errors';
import { MetaGraphClient } from './graph-client';
import { type GraphRequestRecord } from './types';

interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  body: unknown;
}
type Reply = (req: Seen, res: ServerResponse) => void;

/** A real HTTP server on loopback standing in for graph.facebook.com. */
class FakeGraph {
  readonly seen: Seen[] = [];
  private replies: Reply[] = [];
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const seen: Seen = {
          method: req.method ?? '',
          url: req.url ?? '',
          authorization: req.headers.authorization,
          body: raw ? (JSON.parse(raw) as unknown) : undefined,
        };
        this.seen.push(seen);
        const reply = this.replies.shift();
        if (!reply) {
          res.writeHead(500).end('{}');
          return;
        }
        reply(seen, res);
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  reply(...replies: Reply[]): void {
    this.replies.push(...replies);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const json =
  (status: number, body: unknown): Reply =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
const hang: Reply = () => undefined;
const metaError = (status: number, code: number, message = 'error') =>
  json(status, { error: { message, type: 'OAuthException', code, fbtrace_id: 'trace' } });

const creds = { phoneNumberId: '106540352242922', accessToken: 'token-abc' };

describe('MetaGraphClient', () => {
  let graph: FakeGraph;
  let records: GraphRequestRecord[];
  let client: MetaGraphClient;

  beforeEach(async () => {
    graph = new FakeGraph();
    await graph.start();
    records = [];
    client = new MetaGraphClient({
      baseUrl: graph.url,
      version: 'v23.0',
      timeoutMs: 300,
      maxAttempts: 3,
      sleep: () => Promise.resolve(),
      onRequest: (r) => records.push(r),
    });
  });

  afterEach(async () => {
    await graph.stop();
  });

  it('connects with the offer, the opaque data and the bearer token; returns the call id', async () => {
    graph.reply(json(200, { messaging_product: 'whatsapp', calls: [{ id: 'wacid.ABC' }] }));
    const result = await client.connectCall(creds, {
      to: '14085551234',
      sdpOffer: 'v=0 offer',
      bizOpaqueCallbackData: 'CA123',
    });
    expect(result).toEqual({ callId: 'wacid.ABC' });
    expect(graph.seen[0]).toEqual({
      method: 'POST',
      url: '/v23.0/106540352242922/calls',
      authorization: 'Bearer token-abc',
      body: {
        messaging_product: 'whatsapp',
        to: '14085551234',
        action: 'connect',
        session: { sdp_type: 'offer', sdp: 'v=0 offer' },
        biz_opaque_callback_data: 'CA123',
      },
    });
    expect(records).toEqual([
      expect.objectContaining({
        operation: 'connect',
        action: 'connect',
        outcome: 'ok',
        httpStatus: 200,
      }),
    ]);
    expect(JSON.stringify(records)).not.toContain('token-abc');
  });

  it('sends pre_accept, accept, reject and terminate with the call id', async () => {
    for (let i = 0; i < 4; i++)
      graph.reply(json(200, { messaging_product: 'whatsapp', success: true }));
    await client.preAcceptCall(creds, { callId: 'wacid.1', sdpAnswer: 'answer' });
    await client.acceptCall(creds, { callId: 'wacid.1', sdpAnswer: 'answer' });
    await client.rejectCall(creds, { callId: 'wacid.2' });
    await client.terminateCall(creds, { callId: 'wacid.1' });
    expect(graph.seen.map((s) => s.body)).toEqual([
      {
        messaging_product: 'whatsapp',
        call_id: 'wacid.1',
        action: 'pre_accept',
        session: { sdp_type: 'answer', sdp: 'answer' },
      },
      {
        messaging_product: 'whatsapp',
        call_id: 'wacid.1',
        action: 'accept',
        session: { sdp_type: 'answer', sdp: 'answer' },
      },
      { messaging_product: 'whatsapp', call_id: 'wacid.2', action: 'reject' },
      { messaging_product: 'whatsapp', call_id: 'wacid.1', action: 'terminate' },
    ]);
  });

  it('updates calling settings, sends a permission request and reads permissions', async () => {
    graph.reply(
      json(200, { success: true }),
      json(200, { messaging_product: 'whatsapp', messages: [{ id: 'wamid.1' }] }),
      json(200, {
        messaging_product: 'whatsapp',
        permission: { status: 'granted', expiration_time: 1749802400 },
        actions: [
          {
            action_name: 'start_call',
            can_perform_action: true,
            limits: [{ time_period: 'PT24H', max_allowed: 5, current_usage: 1 }],
          },
        ],
      }),
    );
    await client.updateCallingSettings(creds, { status: 'ENABLED' });
    const sent = await client.sendCallPermissionRequest(creds, {
      to: '14085551234',
      bodyText: 'May we call?',
    });
    const perms = await client.getCallPermissions(creds, { userWaId: '14085551234' });
    expect(graph.seen[0]).toMatchObject({
      url: '/v23.0/106540352242922/settings',
      body: { calling: { status: 'ENABLED' } },
    });
    expect(graph.seen[1]?.body).toMatchObject({
      type: 'interactive',
      interactive: {
        type: 'call_permission_request',
        action: { name: 'call_permission_request' },
        body: { text: 'May we call?' },
      },
    });
    expect(sent.messageId).toBe('wamid.1');
    expect(graph.seen[2]).toMatchObject({
      method: 'GET',
      url: '/v23.0/106540352242922/call_permissions?user_wa_id=14085551234',
    });
    expect(perms.permission.status).toBe('granted');
    expect(perms.actions[0]?.limits?.[0]?.max_allowed).toBe(5);
  });

  it('maps Meta errors to Twilio codes and keeps Meta details', async () => {
    graph.reply(metaError(400, 138006, 'No approved call permission'));
    const error = await client
      .connectCall(creds, { to: '1', sdpOffer: 'offer-sdp' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MetaGraphError);
    const e = error as MetaGraphError;
    expect(e.twilioCode).toBe(37000);
    expect(e.metaCode).toBe(138006);
    expect(e.httpStatus).toBe(400);
    expect(e.sent).toBe('yes');
    expect(e.message).toContain('No approved call permission');
    expect(graph.seen).toHaveLength(1);
  });

  it('never repeats a connect that timed out (a second call to a user is worse than a failure)', async () => {
    graph.reply(hang, json(200, { calls: [{ id: 'wacid.second' }] }));
    const error = (await client
      .connectCall(creds, { to: '1', sdpOffer: 'offer-sdp' })
      .catch((e: unknown) => e)) as MetaGraphError;
    expect(error.kind).toBe('timeout');
    expect(error.sent).toBe('maybe');
    expect(error.twilioCode).toBe(20503);
    expect(graph.seen).toHaveLength(1);
  });

  it('never repeats a connect that Meta failed with 5xx', async () => {
    graph.reply(json(503, {}), json(200, { calls: [{ id: 'wacid.second' }] }));
    await expect(
      client.connectCall(creds, { to: '1', sdpOffer: 'offer-sdp' }),
    ).rejects.toMatchObject({
      twilioCode: 20503,
    });
    expect(graph.seen).toHaveLength(1);
  });

  it('retries idempotent requests after timeouts and 5xx, up to the attempt limit', async () => {
    graph.reply(hang, json(502, {}), json(200, { success: true }));
    await client.terminateCall(creds, { callId: 'wacid.1' });
    expect(graph.seen).toHaveLength(3);
    expect(records.map((r) => r.outcome)).toEqual(['error', 'error', 'ok']);

    graph.reply(json(500, {}), json(500, {}), json(500, {}), json(200, { success: true }));
    await expect(client.terminateCall(creds, { callId: 'wacid.1' })).rejects.toBeInstanceOf(
      MetaGraphError,
    );
    expect(graph.seen).toHaveLength(6);
  });

  it('does not retry client errors even for idempotent requests', async () => {
    graph.reply(metaError(400, 100, 'Invalid parameter'), json(200, { success: true }));
    await expect(client.terminateCall(creds, { callId: 'wacid.gone' })).rejects.toMatchObject({
      twilioCode: 21220,
    });
    expect(graph.seen).toHaveLength(1);
  });

  it('retries any request, connect included, when it certainly never left (connection refused)', async () => {
    const url = graph.url;
    await graph.stop();
    const refused = new MetaGraphClient({
      baseUrl: url,
      version: 'v23.0',
      maxAttempts: 2,
      sleep: () => Promise.resolve(),
      onRequest: (r) => records.push(r),
    });
    const error = (await refused
      .connectCall(creds, { to: '1', sdpOffer: 'offer-sdp' })
      .catch((e: unknown) => e)) as MetaGraphError;
    expect(error.kind).toBe('network');
    expect(error.sent).toBe('no');
    expect(records).toHaveLength(2);
    graph = new FakeGraph();
    await graph.start();
  });

  it('rejects a malformed success body as an invalid response', async () => {
    graph.reply(json(200, { calls: [] }));
    await expect(
      client.connectCall(creds, { to: '1', sdpOffer: 'offer-sdp' }),
    ).rejects.toMatchObject({
      kind: 'invalid-response',
    });
  });

  it('refuses a version that does not look like a Graph version', () => {
    expect(() => new MetaGraphClient({ baseUrl: 'http://x', version: '23' })).toThrow(/v23.0/);
  });
});

describe('Meta to Twilio error table', () => {
  it.each([
    [138006, 400, 37000],
    [138000, 400, 37008],
    [138002, 400, 37004],
    [138003, 400, 37003],
    [138009, 400, 37004],
    [138012, 400, 37006],
    [131009, 400, 21220],
    [104, 400, 37008],
    [130429, 400, 37004],
    [131056, 400, 37004],
    [4, 403, 37004],
    [100, 400, 21220],
    [190, 401, 37008],
    [200, 403, 37008],
    [250, 403, 37008],
    [131000, 500, 20503],
    [2, 503, 20503],
  ])('Meta %i (HTTP %i) -> %i', (meta, http, twilio) => {
    expect(twilioCodeForMeta(meta, http)).toBe(twilio);
  });

  it('falls back on the HTTP status', () => {
    expect(twilioCodeForMeta(undefined, 429)).toBe(37004);
    expect(twilioCodeForMeta(undefined, 502)).toBe(20503);
    expect(twilioCodeForMeta(999999, 400)).toBe(20500);
  });
});

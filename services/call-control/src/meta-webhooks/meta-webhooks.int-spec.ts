import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CallPermissionRepliedV1 } from '@parley/contracts';
import { signHubSignature } from '@parley/meta-graph';
import { AckPolicy, DeliverPolicy } from 'nats';
import { DataSource } from 'typeorm';
import { runCli } from '../admin/cli';
import { service } from '../service';
import {
  type Harness,
  provisionTenant,
  startHarness,
  type Tenant,
  waitFor,
} from '../testing/harness';

const fixture = (name: string): string =>
  readFileSync(
    join(__dirname, '..', '..', '..', '..', 'packages', 'meta-graph', 'fixtures', 'valid', name),
    'utf8',
  );

/** The real captured connect webhook, re-addressed to a tenant's business number. */
function connectPayload(t: Tenant, callId: string, from = '5524987650001'): string {
  const doc = JSON.parse(fixture('calls-user-initiated-connect.json')) as {
    entry: {
      id: string;
      changes: {
        value: {
          metadata: Record<string, string>;
          contacts: { wa_id: string }[];
          calls: Record<string, unknown>[];
        };
      }[];
    }[];
  };
  const entry = doc.entry[0];
  const value = entry?.changes[0]?.value;
  if (!entry || !value?.calls[0] || !value.contacts[0]) throw new Error('fixture shape changed');
  entry.id = t.business.wabaId;
  value.metadata = {
    display_phone_number: t.business.displayPhoneNumber,
    phone_number_id: t.business.phoneNumberId,
  };
  value.contacts[0].wa_id = from;
  value.calls[0] = { ...value.calls[0], id: callId, from, to: t.business.displayPhoneNumber };
  return JSON.stringify(doc);
}

describe('Meta webhook ingress', () => {
  let h: Harness;
  let t: Tenant;
  let ds: DataSource;
  const post = (body: string, headers: Record<string, string>) =>
    fetch(`${h.url}/meta/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
  const count = async (table: string): Promise<number> =>
    Number(
      (await ds.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM call_control.${table}`))[0]
        ?.n,
    );

  beforeAll(async () => {
    h = await startHarness('webhooks', {
      env: { META_WEBHOOK_VERIFY_TOKEN: 'global-verify-token' },
    });
    t = await provisionTenant(h);
    ds = new DataSource({ type: 'postgres', url: h.db.url, entities: service.database.entities });
    await ds.initialize();
  });

  afterAll(async () => {
    await ds.destroy();
    await h.close();
  });

  it('answers the subscription check for the configured token and a sender token, 403 otherwise', async () => {
    const check = (token: string) =>
      fetch(
        `${h.url}/meta/webhooks?hub.mode=subscribe&hub.verify_token=${encodeURIComponent(token)}&hub.challenge=1158201444`,
      );
    const ok = await check('global-verify-token');
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('1158201444');
    expect((await check('wrong-token')).status).toBe(403);

    const withToken = await t.rest.post(`/v2/Channels/Senders/${t.senderSid}`, {
      json: { configuration: { webhook_verify_token: 'sender-own-verify-token' } },
    });
    expect(withToken.status).toBe(200);
    expect((await check('sender-own-verify-token')).status).toBe(200);
    // The simulator's own check, against its business's verify token.
    await h.simClient.updateBusiness(t.business.phoneNumberId, {
      verifyToken: 'sender-own-verify-token',
    });
    await expect(h.simClient.verifyWebhook(t.business.phoneNumberId)).resolves.toMatchObject({
      ok: true,
    });
  });

  it('refuses missing and wrong signatures with 401 and stores nothing', async () => {
    const body = connectPayload(t, 'wacid.BAD-SIGNATURE-1');
    const before = { calls: await count('calls'), inbox: await count('meta_webhook_events') };
    const missing = await post(body, {});
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as { code: number }).code).toBe(20003);
    const wrong = await post(body, {
      'x-hub-signature-256': signHubSignature(body, 'not-the-app-secret'),
    });
    expect(wrong.status).toBe(401);
    // Signed right but over other bytes.
    const tampered = await post(body.replace('Test User', 'Tost User'), {
      'x-hub-signature-256': signHubSignature(body, t.business.appSecret),
    });
    expect(tampered.status).toBe(401);
    const unknownNumber = await post(body.replaceAll(t.business.phoneNumberId, '999999999999'), {
      'x-hub-signature-256': signHubSignature(body, t.business.appSecret),
    });
    expect(unknownNumber.status).toBe(401);
    expect({ calls: await count('calls'), inbox: await count('meta_webhook_events') }).toEqual(
      before,
    );
    expect(h.peers.sessions.some((s) => s.parameters.From === 'whatsapp:+5524987650001')).toBe(
      false,
    );
  });

  it('processes the real connect sample once, however often it is delivered', async () => {
    const body = connectPayload(t, 'wacid.DUPLICATE-1', '5524987650002');
    const signature = signHubSignature(body, t.business.appSecret);
    const first = await post(body, { 'x-hub-signature-256': signature });
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ received: 1, duplicates: 0, ignored: 0, unparsed: 0 });
    const again = await Promise.all(
      [1, 2, 3].map(() => post(body, { 'x-hub-signature-256': signature })),
    );
    for (const r of again)
      expect(await r.json()).toEqual({ received: 0, duplicates: 1, ignored: 0, unparsed: 0 });

    // One call, processed once. It never rang at the simulator, so Meta refuses its
    // pre_accept: the call fails there and is never handed to the interpreter.
    const calls = await waitFor(async () => {
      const rows = await ds.query<{ sid: string; status: string; error_code: number | null }[]>(
        `SELECT sid, status, error_code FROM call_control.calls WHERE meta_call_id = 'wacid.DUPLICATE-1'`,
      );
      return rows[0]?.status === 'failed' ? rows : undefined;
    }, 'the call to fail');
    expect(calls).toHaveLength(1);
    expect(calls[0]?.error_code).toBe(21220);
    expect(h.peers.sessions.some((s) => s.parameters.From === 'whatsapp:+5524987650002')).toBe(
      false,
    );
    const preAccepts = await h.simClient.listGraphRequests({
      action: 'pre_accept',
      phoneNumberId: t.business.phoneNumberId,
    });
    expect(
      preAccepts.filter((r) => (r.body as { call_id?: string }).call_id === 'wacid.DUPLICATE-1'),
    ).toHaveLength(1);
  });

  it('dedupes redeliveries of the simulator webhooks too (same bytes, same signature)', async () => {
    await h.simClient.createUser({ waId: '5524987650003', name: 'Redelivered' });
    const { callId } = await h.simClient.userCall('5524987650003', t.business.phoneNumberId);
    const [delivery] = await h.simClient.waitForWebhookDeliveries({
      callId,
      kind: 'calls.connect',
      state: 'delivered',
    });
    if (!delivery) throw new Error('no delivery');
    await waitFor(
      () => h.peers.sessions.find((s) => s.parameters.From === 'whatsapp:+5524987650003'),
      'the session',
    );
    const replay = await post(delivery.body, {
      'x-hub-signature-256': signHubSignature(delivery.body, t.business.appSecret),
    });
    expect(await replay.json()).toEqual({ received: 0, duplicates: 1, ignored: 0, unparsed: 0 });
    expect(
      h.peers.sessions.filter((s) => s.parameters.From === 'whatsapp:+5524987650003'),
    ).toHaveLength(1);
    await h.simClient.userHangup(callId);
  });

  it('publishes call permission replies durably for consent, and stores other messages', async () => {
    await h.simClient.createUser({ waId: '447700900777', name: 'Granting' });
    const jsm = await h.nc.jetstreamManager();
    const stream = h.bus.jetStreamName('PARLEY_CALLS');
    await jsm.consumers.add(stream, {
      name: 'cc_test_permissions',
      ack_policy: AckPolicy.None,
      deliver_policy: DeliverPolicy.New,
      filter_subject: h.bus.wireSubject('calls.v1.permission.replied'),
    });
    const consumer = await h.nc.jetstream().consumers.get(stream, 'cc_test_permissions');
    await h.simClient.grantPermission('447700900777', t.business.phoneNumberId, {
      permanent: true,
    });
    const messages = await consumer.fetch({ max_messages: 1, expires: 10_000 });
    let reply: CallPermissionRepliedV1 | undefined;
    let msgId: string | undefined;
    for await (const m of messages) {
      reply = m.json<CallPermissionRepliedV1>();
      msgId = m.headers?.get('Nats-Msg-Id');
    }
    expect(reply).toMatchObject({
      accountSid: t.account.sid,
      senderSid: t.senderSid,
      business: t.senderId,
      user: 'whatsapp:+447700900777',
      response: 'accept',
      isPermanent: true,
      expiresAt: null,
    });
    expect(msgId).toBe(`permission-reply:${reply?.messageId}`);
    await jsm.consumers.delete(stream, 'cc_test_permissions');

    const text = fixture('messages-text.json')
      .replaceAll('436666719526789', t.business.phoneNumberId)
      .replaceAll('13175551399', t.business.displayPhoneNumber);
    const res = await post(text, {
      'x-hub-signature-256': signHubSignature(text, t.business.appSecret),
    });
    // A user's text is a message of the sender's (it opens the 24-hour window).
    expect(await res.json()).toEqual({ received: 1, duplicates: 0, ignored: 0, unparsed: 0 });
  });

  it('stores every signed payload, keeps a change it cannot read as failed with a metric, processes its neighbours, and re-drives', async () => {
    const good = JSON.parse(connectPayload(t, 'wacid.NEIGHBOUR-1', '5524987650009')) as {
      entry: { changes: unknown[] }[];
    };
    const badChange = {
      field: 'calls',
      value: { metadata: { phone_number_id: t.business.phoneNumberId } },
    };
    const goodChange = good.entry[0]?.changes[0];
    good.entry[0]?.changes.unshift(badChange);
    const body = JSON.stringify(good);
    const res = await post(body, {
      'x-hub-signature-256': signHubSignature(body, t.business.appSecret),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: 1, duplicates: 0, ignored: 0, unparsed: 1 });
    // The delivery is kept as signed, whatever it holds.
    const deliveries = await ds.query<{ raw_body: string; unparsed: number }[]>(
      'SELECT raw_body, unparsed FROM call_control.meta_webhook_deliveries WHERE raw_body = $1',
      [body],
    );
    expect(deliveries).toEqual([{ raw_body: body, unparsed: 1 }]);
    // The readable neighbour was processed: its call exists.
    const callOf = (metaCallId: string) => async () =>
      (
        await ds.query<{ sid: string }[]>(
          'SELECT sid FROM call_control.calls WHERE meta_call_id = $1',
          [metaCallId],
        )
      ).length === 1 || undefined;
    await waitFor(callOf('wacid.NEIGHBOUR-1'), 'the neighbouring connect processed');
    const [failed] = await ds.query<{ id: string; status: string; last_error: string }[]>(
      "SELECT id, status, last_error FROM call_control.meta_webhook_events WHERE kind = 'unparsed'",
    );
    expect(failed?.status).toBe('failed');
    expect(failed?.last_error).toMatch(/^entry\.0\.changes\.0/);
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    expect(metrics).toMatch(/^parley_meta_webhook_inbox_failed\{[^}]*kind="unparsed"[^}]*\} 1$/m);
    expect(metrics).toMatch(
      /^parley_meta_webhook_inbox_failures_total\{[^}]*reason="unparsable"[^}]*\} 1$/m,
    );
    // A redelivery of the same bytes stores the bad change once.
    await post(body, { 'x-hub-signature-256': signHubSignature(body, t.business.appSecret) });
    expect(
      await ds.query("SELECT id FROM call_control.meta_webhook_events WHERE kind = 'unparsed'"),
    ).toHaveLength(1);

    const admin = async (args: string[]) => {
      const lines: string[] = [];
      expect(
        await runCli(
          [...args, '--json'],
          { DATABASE_URL: h.db.url, NODE_ENV: 'development' },
          { out: (l) => lines.push(l) },
        ),
      ).toBe(0);
      return JSON.parse(lines.join('\n')) as unknown;
    };
    expect(await admin(['webhooks:failed'])).toEqual([
      expect.objectContaining({ id: failed?.id, kind: 'unparsed' }),
    ]);
    expect(await admin(['webhooks:redrive', '--all'])).toEqual({
      requeued: 0,
      reparsed: 0,
      still_unparsable: 1,
    });
    // After an upgrade that reads it (here: the stored change repaired), a re-drive
    // queues its events and the poller processes them.
    const repaired = JSON.parse(
      JSON.stringify(goodChange)
        .replaceAll('wacid.NEIGHBOUR-1', 'wacid.REDRIVEN-1')
        .replaceAll('5524987650009', '5524987650010'),
    ) as unknown;
    await ds.query(
      `UPDATE call_control.meta_webhook_events SET payload = jsonb_set(payload, '{change}', $1::jsonb) WHERE id = $2`,
      [JSON.stringify(repaired), failed?.id],
    );
    expect(await admin(['webhooks:redrive', '--id', String(failed?.id)])).toEqual({
      requeued: 0,
      reparsed: 1,
      still_unparsable: 0,
    });
    await waitFor(callOf('wacid.REDRIVEN-1'), 'the re-driven connect processed');
    expect(await admin(['webhooks:failed'])).toEqual([]);
  });

  it('limits the body size with a Twilio-style error', async () => {
    const huge = JSON.stringify({ padding: 'x'.repeat(300_000) });
    const res = await post(huge, { 'x-hub-signature-256': 'sha256=00' });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({
      code: 20001,
      status: 413,
      message: expect.stringMatching(/larger than the limit/) as unknown,
    });
  });
});

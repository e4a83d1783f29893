import { type MessageReceivedV1 } from '@parley/contracts';
import {
  type Harness,
  provisionTenant,
  publishedEvents,
  startHarness,
  type Tenant,
  waitFor,
} from '../testing/harness';

const REQUEST_TEMPLATE = {
  friendly_name: 'voice_call_request',
  language: 'en',
  types: {
    'twilio/call-to-action': {
      body: 'test',
      actions: [{ type: 'VOICE_CALL_REQUEST', title: 'Call Request' }],
    },
  },
};

let userSeq = 0;
function nextUser(): string {
  userSeq += 1;
  return `44770091${String(1000 + userSeq)}`;
}

describe('WhatsApp messaging: Content API and Messages.json', () => {
  let h: Harness;
  let t: Tenant;
  const messagesPath = () => `/2010-04-01/Accounts/${t.account.sid}/Messages.json`;

  beforeAll(async () => {
    h = await startHarness('messaging', {
      env: {
        WHATSAPP_NUMBER_CHECK: 'possible',
        MESSAGES_POLL_MS: '100',
        MESSAGES_RETRY_BASE_MS: '50',
      },
    });
    t = await provisionTenant(h);
    const updated = await t.rest.post(`/v2/Channels/Senders/${t.senderSid}`, {
      json: {
        webhook: {
          callback_url: 'https://business.example/sms',
          fallback_url: 'https://business.example/sms-fallback',
          status_callback_url: 'https://business.example/status',
        },
      },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.webhook).toEqual({
      callback_url: 'https://business.example/sms',
      callback_method: 'POST',
      fallback_url: 'https://business.example/sms-fallback',
      fallback_method: 'POST',
      status_callback_url: 'https://business.example/status',
      status_callback_method: 'POST',
    });
  });

  afterAll(async () => {
    await h.close();
  });

  /** A simulated WhatsApp user who has written to the business (the 24-hour window is open). */
  async function userInSession(behaviour: Record<string, unknown> = {}): Promise<string> {
    const waId = nextUser();
    await h.simClient.createUser({ waId, name: `User ${waId}`, behaviour });
    await h.simClient.userMessage(waId, t.business.phoneNumberId, 'Hello business');
    await waitFor(async () => {
      const list = await t.rest.get(
        `${messagesPath()}?From=${encodeURIComponent(`whatsapp:+${waId}`)}`,
      );
      return (list.body.messages as unknown[]).length > 0;
    }, 'the inbound message stored');
    return waId;
  }

  const graphMessages = async () =>
    (
      await h.simClient.listGraphRequests({
        phoneNumberId: t.business.phoneNumberId,
        edge: 'messages',
      })
    ).length;

  describe('Content API', () => {
    it('creates the seed template, fetches, lists in pages, deletes, and keeps tenants apart', async () => {
      const created = await t.rest.post('/v1/Content', { json: REQUEST_TEMPLATE });
      expect(created.status).toBe(201);
      const sid = String(created.body.sid);
      expect(sid).toMatch(/^HX[0-9a-f]{32}$/);
      expect(created.body).toMatchObject({
        account_sid: t.account.sid,
        friendly_name: 'voice_call_request',
        language: 'en',
        variables: {},
        types: {
          'twilio/call-to-action': {
            actions: [{ title: 'Call Request', type: 'VOICE_CALL_REQUEST' }],
            body: 'test',
          },
        },
        url: `${h.url}/v1/Content/${sid}`,
        links: {
          approval_create: `${h.url}/v1/Content/${sid}/ApprovalRequests/whatsapp`,
          approval_fetch: `${h.url}/v1/Content/${sid}/ApprovalRequests`,
        },
      });
      expect(String(created.body.date_created)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect((await t.rest.get(`/v1/Content/${sid}`)).body.sid).toBe(sid);
      await t.rest.post('/v1/Content', {
        json: { language: 'en', types: { 'twilio/text': { body: 'Hi' } } },
      });

      const first = await t.rest.get('/v1/Content?PageSize=1');
      expect(first.body.contents).toHaveLength(1);
      const meta = first.body.meta as { next_page_url: string; key: string };
      expect(meta.key).toBe('contents');
      const second = await t.rest.get(meta.next_page_url.replace(h.url, ''));
      expect(second.body.contents).toHaveLength(1);

      const other = await provisionTenant(h);
      expect((await other.rest.get(`/v1/Content/${sid}`)).status).toBe(404);
      expect((await other.rest.get('/v1/Content')).body.contents).toEqual([]);
      expect((await other.rest.delete(`/v1/Content/${sid}`)).status).toBe(404);

      expect((await t.rest.delete(`/v1/Content/${sid}`)).status).toBe(204);
      expect((await t.rest.get(`/v1/Content/${sid}`)).status).toBe(404);
    });

    it('refuses a VOICE_CALL_REQUEST combined with another button, with 20001 and nothing stored', async () => {
      const before = (await t.rest.get('/v1/Content')).body.contents as unknown[];
      const refused = await t.rest.post('/v1/Content', {
        json: {
          ...REQUEST_TEMPLATE,
          types: {
            'twilio/call-to-action': {
              body: 'test',
              actions: [
                { type: 'VOICE_CALL_REQUEST', title: 'Call Request' },
                { type: 'VOICE_CALL', title: 'Call now' },
              ],
            },
          },
        },
      });
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ code: 20001, status: 400 });
      expect(String(refused.body.message)).toMatch(/must be the only call-to-action button/);
      expect((await t.rest.get('/v1/Content')).body.contents).toHaveLength(before.length);
    });
  });

  describe('Messages.json', () => {
    it('refuses bad input with Twilio codes and sends nothing to Meta', async () => {
      const waId = nextUser();
      await h.simClient.createUser({ waId });
      const sentBefore = await graphMessages();
      const cases: [Record<string, string>, number][] = [
        [{ From: t.senderId, Body: 'hi' }, 21604],
        [{ To: `whatsapp:+${waId}`, Body: 'hi' }, 21603],
        [{ To: `whatsapp:+${waId}`, From: t.senderId }, 21619],
        [{ To: 'whatsapp:+12', From: t.senderId, Body: 'hi' }, 21211],
        [{ To: `whatsapp:+${waId}`, From: 'whatsapp:+14155550000', Body: 'hi' }, 63007],
        [{ To: `whatsapp:+${waId}`, From: t.senderId, ContentSid: 'HXnope' }, 21655],
        [{ To: `whatsapp:+${waId}`, From: t.senderId, ContentSid: `HX${'0'.repeat(32)}` }, 21655],
        [{ To: `whatsapp:+${waId}`, From: t.senderId, Body: 'x'.repeat(1601) }, 21617],
        // Nobody wrote: outside the 24-hour window.
        [{ To: `whatsapp:+${waId}`, From: t.senderId, Body: 'hi' }, 63016],
      ];
      for (const [form, code] of cases) {
        const res = await t.rest.post(messagesPath(), form);
        expect({ form, code: res.body.code, status: res.status }).toEqual({
          form,
          code,
          status: 400,
        });
      }
      const content = await t.rest.post('/v1/Content', {
        json: {
          language: 'en',
          variables: { '1': 'name' },
          types: { 'twilio/text': { body: 'Hi {{1}}' } },
        },
      });
      const badVariables = await t.rest.post(messagesPath(), {
        To: `whatsapp:+${waId}`,
        From: t.senderId,
        ContentSid: String(content.body.sid),
        ContentVariables: '{"2":"x"}',
      });
      expect(badVariables.body.code).toBe(21656);
      expect((await t.rest.get(messagesPath())).body.messages).toEqual([]);
      expect(await graphMessages()).toBe(sentBefore);
    });

    it('sends session text within the window: queued, sent, delivered, with status events', async () => {
      const waId = await userInSession();
      const created = await t.rest.post(messagesPath(), {
        To: `whatsapp:+${waId}`,
        From: t.senderId,
        Body: 'Your order has shipped',
        StatusCallback: 'https://business.example/my-status',
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        status: 'queued',
        direction: 'outbound-api',
        body: 'Your order has shipped',
        from: t.senderId,
        to: `whatsapp:+${waId}`,
        error_code: null,
      });
      const sid = String(created.body.sid);
      expect(sid).toMatch(/^SM[0-9a-f]{32}$/);
      await waitFor(
        async () =>
          (await t.rest.get(`${messagesPath().replace('.json', '')}/${sid}.json`)).body.status ===
          'delivered',
        'the message delivered',
      );
      const requests = await h.simClient.listGraphRequests({
        phoneNumberId: t.business.phoneNumberId,
        edge: 'messages',
      });
      const mine = requests.filter((r) => (r.body as { to?: string } | undefined)?.to === waId);
      expect(mine).toHaveLength(1);
      expect(mine[0]?.body).toMatchObject({
        type: 'text',
        text: { body: 'Your order has shipped' },
      });
      const events = await waitFor(async () => {
        const got = await publishedEvents(
          h.bus,
          'calls.v1.message.status-changed',
          (e) => e.messageSid === sid,
        );
        return got.length === 3 ? got : undefined;
      }, 'three status events');
      expect(events.map((e) => [e.payload.status, e.payload.sequence, e.msgId])).toEqual([
        ['queued', 0, `${sid}:0`],
        ['sent', 1, `${sid}:1`],
        ['delivered', 2, `${sid}:2`],
      ]);
      expect(events[0]?.payload.statusCallback).toEqual({
        url: 'https://business.example/my-status',
        method: 'POST',
      });
      // Nothing reserved with consent: it is not a permission request.
      expect(h.peers.reservations.find((r) => r.requestRef === sid)).toBeUndefined();
    });

    it('sends the call-permission template after reserving it, settles it, and forwards the reply (seed 001)', async () => {
      const waId = await userInSession({ permissionReply: 'accept', permissionReplyAfterMs: 50 });
      const content = await t.rest.post('/v1/Content', { json: REQUEST_TEMPLATE });
      const created = await t.rest.post(messagesPath(), {
        To: `whatsapp:+${waId}`,
        From: t.senderId,
        ContentSid: String(content.body.sid),
      });
      expect(created.status).toBe(201);
      const sid = String(created.body.sid);
      const reservation = await waitFor(
        () => h.peers.reservations.find((r) => r.requestRef === sid),
        'the reservation',
      );
      expect(reservation).toMatchObject({
        accountSid: t.account.sid,
        senderSid: t.senderSid,
        business: t.senderId,
        user: `whatsapp:+${waId}`,
      });
      const settlement = await waitFor(
        () => h.peers.settlements.find((s) => s.requestRef === sid),
        'the settlement',
      );
      expect(settlement).toEqual({ accountSid: t.account.sid, requestRef: sid, outcome: 'sent' });
      const sent = (
        await h.simClient.listGraphRequests({
          phoneNumberId: t.business.phoneNumberId,
          edge: 'messages',
        })
      ).filter((r) => (r.body as { to?: string } | undefined)?.to === waId);
      expect(sent[0]?.body).toMatchObject({
        type: 'interactive',
        interactive: {
          type: 'call_permission_request',
          action: { name: 'call_permission_request' },
        },
      });

      // The user accepts: the reply reaches consent and the business's messaging webhook.
      const forwarded = await waitFor(async () => {
        const got = await publishedEvents(
          h.bus,
          'calls.v1.message.received',
          (e) => e.waId === waId && e.messageType === 'interactive',
        );
        return got[0];
      }, 'the reply forwarded');
      expect(forwarded.payload).toMatchObject<Partial<MessageReceivedV1>>({
        accountSid: t.account.sid as MessageReceivedV1['accountSid'],
        from: `whatsapp:+${waId}`,
        to: t.senderId,
        profileName: `User ${waId}`,
        body: 'VOICE_CALL_REQUEST',
        buttonText: 'VOICE_CALL_REQUEST',
        buttonPayload: 'ACCEPTED',
        webhook: { url: 'https://business.example/sms', method: 'POST' },
        fallback: { url: 'https://business.example/sms-fallback', method: 'POST' },
      });
      expect(forwarded.msgId).toBe(forwarded.payload.messageSid);
      const replied = await waitFor(async () => {
        const got = await publishedEvents(
          h.bus,
          'calls.v1.permission.replied',
          (e) => e.user === `whatsapp:+${waId}`,
        );
        return got[0];
      }, 'the permission reply for consent');
      expect(replied.payload.response).toBe('accept');
    });

    it('fails a permission request consent refuses, without sending it to Meta', async () => {
      const waId = await userInSession();
      const content = await t.rest.post('/v1/Content', { json: REQUEST_TEMPLATE });
      h.peers.reserve = (q) =>
        q.user === `whatsapp:+${waId}`
          ? { allowed: false, errorCode: 37004, reason: 'one request per 24 hours' }
          : { allowed: true, errorCode: null, reason: null };
      const sentBefore = await graphMessages();
      const created = await t.rest.post(messagesPath(), {
        To: `whatsapp:+${waId}`,
        From: t.senderId,
        ContentSid: String(content.body.sid),
      });
      const sid = String(created.body.sid);
      const failed = await waitFor(async () => {
        const m = await t.rest.get(`/2010-04-01/Accounts/${t.account.sid}/Messages/${sid}.json`);
        return m.body.status === 'failed' ? m.body : undefined;
      }, 'the message failed');
      expect(failed).toMatchObject({
        error_code: 37004,
        error_message: 'one request per 24 hours',
      });
      expect(await graphMessages()).toBe(sentBefore);
      expect(h.peers.settlements.find((s) => s.requestRef === sid)).toBeUndefined();
      h.peers.reserve = () => ({ allowed: true, errorCode: null, reason: null });
    });

    it('keeps a message queued while consent is down and sends it once consent answers', async () => {
      const waId = await userInSession();
      const content = await t.rest.post('/v1/Content', { json: REQUEST_TEMPLATE });
      let down = true;
      h.peers.reserve = (q) => {
        if (down && q.user === `whatsapp:+${waId}`) throw new Error('consent unavailable');
        return { allowed: true, errorCode: null, reason: null };
      };
      const created = await t.rest.post(messagesPath(), {
        To: `whatsapp:+${waId}`,
        From: t.senderId,
        ContentSid: String(content.body.sid),
      });
      const sid = String(created.body.sid);
      const attempts = async () =>
        (
          await h.query<{ send_attempts: number }>(
            'SELECT send_attempts FROM call_control.messages WHERE sid = $1',
            [sid],
          )
        )[0]?.send_attempts ?? 0;
      await waitFor(async () => (await attempts()) >= 2, 'two attempts');
      const path = `/2010-04-01/Accounts/${t.account.sid}/Messages/${sid}.json`;
      expect((await t.rest.get(path)).body.status).toBe('queued');
      down = false;
      await waitFor(async () => (await t.rest.get(path)).body.status === 'delivered', 'delivered');
      expect(
        h.peers.reservations.filter((r) => r.requestRef === sid).length,
      ).toBeGreaterThanOrEqual(2);
      expect(h.peers.settlements.filter((s) => s.requestRef === sid)).toEqual([
        { accountSid: t.account.sid, requestRef: sid, outcome: 'sent' },
      ]);
      h.peers.reserve = () => ({ allowed: true, errorCode: null, reason: null });
    });

    it("keeps another account's messages apart", async () => {
      const mine = (await t.rest.get(messagesPath())).body.messages as { sid: string }[];
      expect(mine.length).toBeGreaterThan(0);
      const other = await provisionTenant(h);
      const sid = mine[0]?.sid ?? '';
      expect(
        (await other.rest.get(`/2010-04-01/Accounts/${other.account.sid}/Messages/${sid}.json`))
          .status,
      ).toBe(404);
      expect(
        (await other.rest.get(`/2010-04-01/Accounts/${t.account.sid}/Messages.json`)).status,
      ).toBe(404);
    });

    // Last: it moves the simulator's clock.
    it("fails a message Meta refuses later (131047 outside Meta's window) with 63016", async () => {
      const waId = await userInSession();
      // Meta's clock runs ahead of Parley's: Meta sees the window closed, Parley does not.
      await h.simClient.advanceClock('25h');
      const created = await t.rest.post(messagesPath(), {
        To: `whatsapp:+${waId}`,
        From: t.senderId,
        Body: 'Are you there?',
      });
      expect(created.status).toBe(201);
      const path = `/2010-04-01/Accounts/${t.account.sid}/Messages/${String(created.body.sid)}.json`;
      const failed = await waitFor(async () => {
        const m = await t.rest.get(path);
        return m.body.status === 'failed' ? m.body : undefined;
      }, 'the message failed');
      expect(failed).toMatchObject({ error_code: 63016, error_message: 'Re-engagement message' });
    });
  });
});

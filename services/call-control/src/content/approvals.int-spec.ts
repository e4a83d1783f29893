import twilio from 'twilio';
import {
  type Harness,
  provisionTenant,
  publishedEvents,
  startHarness,
  type Tenant,
  waitFor,
} from '../testing/harness';
import { ParleyRequestClient } from '../testing/twilio-client';

/** The seed's card with a VOICE_CALL button (seed 001). */
const CARD = {
  friendly_name: 'voice_call_test',
  language: 'en',
  variables: { '1': 'name' },
  types: {
    'twilio/card': {
      title: 'Hello {{1}} let’s continue on a call.',
      actions: [{ title: 'Call now', type: 'VOICE_CALL' }],
    },
  },
};

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
  return `44770092${String(1000 + userSeq)}`;
}

let nameSeq = 0;
function nextName(): string {
  nameSeq += 1;
  return `voice_call_test_${nameSeq}`;
}

describe('WhatsApp approval of Content templates (ApprovalRequests)', () => {
  let h: Harness;
  let t: Tenant;
  const messagesPath = () => `/2010-04-01/Accounts/${t.account.sid}/Messages.json`;
  const messagePath = (sid: string) => `/2010-04-01/Accounts/${t.account.sid}/Messages/${sid}.json`;

  beforeAll(async () => {
    h = await startHarness('approvals', {
      graphFaults: true,
      env: {
        WHATSAPP_NUMBER_CHECK: 'possible',
        MESSAGES_POLL_MS: '100',
        APPROVALS_POLL_MS: '100',
        APPROVALS_RETRY_BASE_MS: '50',
        APPROVALS_MAX_SUBMIT_ATTEMPTS: '3',
        OUTBOX_SWEEP_MS: '200',
      },
    });
    t = await provisionTenant(h);
    const updated = await t.rest.post(`/v2/Channels/Senders/${t.senderSid}`, {
      json: { webhook: { status_callback_url: 'https://business.example/status' } },
    });
    expect(updated.status).toBe(200);
  });

  afterAll(async () => {
    await h.close();
  });

  async function createContent(body: Record<string, unknown>): Promise<string> {
    const created = await t.rest.post('/v1/Content', { json: body });
    expect(created.status).toBe(201);
    return String(created.body.sid);
  }

  const approvalOf = async (sid: string) =>
    (await t.rest.get(`/v1/Content/${sid}/ApprovalRequests`)).body.whatsapp as Record<
      string,
      unknown
    >;

  async function waitForStatus(sid: string, status: string): Promise<Record<string, unknown>> {
    return waitFor(async () => {
      const approval = await approvalOf(sid);
      return approval.status === status ? approval : undefined;
    }, `approval ${status}`);
  }

  async function templateAtMeta(name: string) {
    return waitFor(
      async () => (await h.simClient.listTemplates()).find((x) => x.name === name),
      `template ${name} at Meta`,
    );
  }

  const templateRequests = async () =>
    (await h.simClient.listGraphRequests({ edge: 'message_templates' })).length;

  /** A simulated user who never wrote to the business: the 24-hour window is closed. */
  async function userOutOfSession(): Promise<string> {
    const waId = nextUser();
    await h.simClient.createUser({ waId, name: `User ${waId}` });
    return waId;
  }

  it('refuses what Meta would refuse, naming the rule, before any Graph request', async () => {
    const card = await createContent(CARD);
    const request = await createContent(REQUEST_TEMPLATE);
    const edgy = await createContent({
      language: 'en',
      variables: { '1': 'Ana' },
      types: { 'twilio/text': { body: '{{1}}, your order is ready' } },
    });
    const gapped = await createContent({
      language: 'en',
      variables: { '1': 'Ana', '3': 'x' },
      types: { 'twilio/text': { body: 'Hi {{1}}, your code is {{3}} today' } },
    });
    const before = await templateRequests();
    const cases: [string, Record<string, unknown>, RegExp][] = [
      [card, { name: 'Voice Call', category: 'UTILITY' }, /rule name/],
      [card, { name: 'x'.repeat(513), category: 'UTILITY' }, /rule name/],
      [card, { name: 'voice_call', category: 'SPAM' }, /rule category/],
      [card, { name: 'voice_call', category: 'AUTHENTICATION' }, /rule category/],
      [card, { category: 'UTILITY' }, /name is required/],
      [request, { name: 'voice_call', category: 'UTILITY' }, /rule voice-call-request/],
      [edgy, { name: 'order_ready', category: 'UTILITY' }, /rule variable-at-start/],
      [gapped, { name: 'code_today', category: 'UTILITY' }, /rule variable-sequence/],
    ];
    for (const [sid, body, message] of cases) {
      const res = await t.rest.post(`/v1/Content/${sid}/ApprovalRequests/whatsapp`, {
        json: body,
      });
      expect({ body, status: res.status, code: res.body.code }).toEqual({
        body,
        status: 400,
        code: 20001,
      });
      expect(String(res.body.message)).toMatch(message);
    }
    expect(await approvalOf(card)).toMatchObject({ status: 'unsubmitted', name: '' });
    // Another account's content is not found.
    const other = await provisionTenant(h);
    const foreign = await other.rest.post(`/v1/Content/${card}/ApprovalRequests/whatsapp`, {
      json: { name: 'voice_call', category: 'UTILITY' },
    });
    expect(foreign.status).toBe(404);
    expect((await other.rest.get(`/v1/Content/${card}/ApprovalRequests`)).status).toBe(404);
    expect(await templateRequests()).toBe(before);
  });

  it('submits the seed card, refuses it out of session until approved, then sends it as a template', async () => {
    const sid = await createContent(CARD);
    const name = nextName();
    const created = await t.rest.post(`/v1/Content/${sid}/ApprovalRequests/whatsapp`, {
      json: { name, category: 'UTILITY' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      name,
      category: 'UTILITY',
      content_type: 'twilio/card',
      status: 'received',
      rejection_reason: '',
      allow_category_change: true,
    });
    const pending = await waitForStatus(sid, 'pending');
    expect(pending).toEqual({
      type: 'whatsapp',
      name,
      category: 'UTILITY',
      content_type: 'twilio/card',
      status: 'pending',
      rejection_reason: '',
      allow_category_change: true,
      flows: null,
    });
    const template = await templateAtMeta(name);
    expect(template).toMatchObject({
      wabaId: t.business.wabaId,
      language: 'en',
      category: 'UTILITY',
      status: 'PENDING',
      components: [
        {
          type: 'BODY',
          text: 'Hello {{1}} let’s continue on a call.',
          example: { body_text: [['name']] },
        },
        { type: 'BUTTONS', buttons: [{ type: 'VOICE_CALL', text: 'Call now' }] },
      ],
    });
    // A second request while one is under review is refused.
    const again = await t.rest.post(`/v1/Content/${sid}/ApprovalRequests/whatsapp`, {
      json: { name, category: 'UTILITY' },
    });
    expect(again.body).toMatchObject({ status: 400, code: 20001 });

    // Not approved yet: refused out of session with 63027, nothing sent to Meta.
    const waId = await userOutOfSession();
    const refused = await t.rest.post(messagesPath(), {
      To: `whatsapp:+${waId}`,
      From: t.senderId,
      ContentSid: sid,
      ContentVariables: '{"1":"Ana"}',
    });
    expect(refused.body).toMatchObject({ status: 400, code: 63027 });
    expect(String(refused.body.message)).toMatch(/approval status: pending/);

    // Meta approves: the signed webhook moves the approval.
    await h.simClient.setTemplateStatus(template.id, 'APPROVED');
    await waitForStatus(sid, 'approved');

    const sent = await t.rest.post(messagesPath(), {
      To: `whatsapp:+${waId}`,
      From: t.senderId,
      ContentSid: sid,
      ContentVariables: '{"1":"Ana"}',
    });
    expect(sent.status).toBe(201);
    expect(sent.body.body).toBe('Hello Ana let’s continue on a call.');
    const messageSid = String(sent.body.sid);
    await waitFor(
      async () => (await t.rest.get(messagePath(messageSid))).body.status === 'delivered',
      'the template message delivered',
    );
    const requests = (
      await h.simClient.listGraphRequests({
        phoneNumberId: t.business.phoneNumberId,
        edge: 'messages',
      })
    ).filter((r) => (r.body as { to?: string } | undefined)?.to === waId);
    // Only the approved send reached Meta: the refused one never left Parley.
    expect(requests).toHaveLength(1);
    expect(requests[0]?.body).toMatchObject({
      type: 'template',
      template: {
        name,
        language: { code: 'en' },
        components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ana' }] }],
      },
    });

    // Each change was published for the sender's status callback, in order.
    const events = await waitFor(async () => {
      const got = await publishedEvents(
        h.bus,
        'calls.v1.content.approval-changed',
        (e) => e.contentSid === sid,
      );
      return got.length === 3 ? got : undefined;
    }, 'three approval events');
    expect(events.map((e) => [e.payload.status, e.payload.sequence, e.msgId])).toEqual([
      ['received', 0, `approval:${sid}:0`],
      ['pending', 1, `approval:${sid}:1`],
      ['approved', 2, `approval:${sid}:2`],
    ]);
    expect(events[2]?.payload).toMatchObject({
      accountSid: t.account.sid,
      senderSid: t.senderSid,
      name,
      category: 'UTILITY',
      rejectionReason: null,
      statusCallback: { url: 'https://business.example/status', method: 'POST' },
    });

    // Paused by Meta: refused again (Twilio's code), with the status named.
    await h.simClient.setTemplateStatus(template.id, 'PAUSED');
    await waitForStatus(sid, 'paused');
    const paused = await t.rest.post(messagesPath(), {
      To: `whatsapp:+${waId}`,
      From: t.senderId,
      ContentSid: sid,
    });
    expect(paused.body).toMatchObject({ code: 63027 });
    expect(String(paused.body.message)).toMatch(/approval status: paused/);
  });

  it('keeps a rejected template refused, with its reason, and lets it be submitted again', async () => {
    const sid = await createContent({
      language: 'en',
      variables: { '1': 'Ana' },
      types: { 'twilio/text': { body: 'Hello {{1}}, we would like to call you back today.' } },
    });
    const name = nextName();
    await t.rest.post(`/v1/Content/${sid}/ApprovalRequests/whatsapp`, {
      json: { name, category: 'MARKETING', allow_category_change: false },
    });
    await waitForStatus(sid, 'pending');
    const template = await templateAtMeta(name);
    await h.simClient.setTemplateStatus(template.id, 'REJECTED', 'INVALID_FORMAT');
    const rejected = await waitForStatus(sid, 'rejected');
    expect(rejected).toMatchObject({
      name,
      category: 'MARKETING',
      content_type: 'twilio/text',
      rejection_reason: 'INVALID_FORMAT',
      allow_category_change: false,
    });
    const waId = await userOutOfSession();
    const refused = await t.rest.post(messagesPath(), {
      To: `whatsapp:+${waId}`,
      From: t.senderId,
      ContentSid: sid,
    });
    expect(refused.body).toMatchObject({ status: 400, code: 63027 });
    expect(String(refused.body.message)).toMatch(/rejected: INVALID_FORMAT/);

    // A rejected request may be submitted again (under another name).
    const renamed = `${name}_v2`;
    const again = await t.rest.post(`/v1/Content/${sid}/ApprovalRequests/whatsapp`, {
      json: { name: renamed, category: 'UTILITY' },
    });
    expect(again.status).toBe(201);
    await waitForStatus(sid, 'pending');
    expect((await approvalOf(sid)).name).toBe(renamed);
  });

  it('sends a VOICE_CALL_REQUEST in session without approval, and refuses it outside with 63016', async () => {
    const sid = await createContent(REQUEST_TEMPLATE);
    const waId = await userOutOfSession();
    const outside = await t.rest.post(messagesPath(), {
      To: `whatsapp:+${waId}`,
      From: t.senderId,
      ContentSid: sid,
    });
    expect(outside.body).toMatchObject({ code: 63016 });
    await h.simClient.userMessage(waId, t.business.phoneNumberId, 'Hello');
    await waitFor(async () => {
      const list = await t.rest.get(
        `${messagesPath()}?From=${encodeURIComponent(`whatsapp:+${waId}`)}`,
      );
      return (list.body.messages as unknown[]).length > 0;
    }, 'the inbound message stored');
    const inside = await t.rest.post(messagesPath(), {
      To: `whatsapp:+${waId}`,
      From: t.senderId,
      ContentSid: sid,
    });
    expect(inside.status).toBe(201);
    expect(await approvalOf(sid)).toMatchObject({ status: 'unsubmitted' });
  });

  it('rejects a request Meta refuses, with Meta’s words, without retrying it', async () => {
    const name = nextName();
    const first = await createContent(CARD);
    await t.rest.post(`/v1/Content/${first}/ApprovalRequests/whatsapp`, {
      json: { name, category: 'UTILITY' },
    });
    await waitForStatus(first, 'pending');
    // Same name and language in the same WABA: Meta refuses the second one.
    const second = await createContent(CARD);
    await t.rest.post(`/v1/Content/${second}/ApprovalRequests/whatsapp`, {
      json: { name, category: 'UTILITY' },
    });
    const rejected = await waitForStatus(second, 'rejected');
    expect(String(rejected.rejection_reason)).toMatch(/already exists/);
    const [row] = await h.query<{ submit_attempts: number; next_attempt_at: Date | null }>(
      'SELECT submit_attempts, next_attempt_at FROM call_control.content_approvals WHERE content_sid = $1',
      [second],
    );
    expect(row).toEqual({ submit_attempts: 1, next_attempt_at: null });
  });

  it('retries a submission Meta failed, submitting the template once', async () => {
    const sid = await createContent(CARD);
    const name = nextName();
    h.graph?.fail('message_templates', 2);
    const created = await t.rest.post(`/v1/Content/${sid}/ApprovalRequests/whatsapp`, {
      json: { name, category: 'UTILITY' },
    });
    expect(created.status).toBe(201);
    await waitForStatus(sid, 'pending');
    expect((await h.simClient.listTemplates()).filter((x) => x.name === name)).toHaveLength(1);
    const attempts = await h.query<{ submit_attempts: number }>(
      'SELECT submit_attempts FROM call_control.content_approvals WHERE content_sid = $1',
      [sid],
    );
    expect(attempts[0]?.submit_attempts).toBe(3);
  });

  it('dead-letters a submission Meta keeps failing: rejected with the reason', async () => {
    const sid = await createContent(CARD);
    const name = nextName();
    h.graph?.fail('message_templates', Infinity);
    try {
      await t.rest.post(`/v1/Content/${sid}/ApprovalRequests/whatsapp`, {
        json: { name, category: 'UTILITY' },
      });
      const rejected = await waitForStatus(sid, 'rejected');
      expect(String(rejected.rejection_reason)).toMatch(
        /could not submit the template to WhatsApp after 3 attempts/,
      );
    } finally {
      h.graph?.heal();
    }
    expect((await h.simClient.listTemplates()).filter((x) => x.name === name)).toEqual([]);
  });

  it("works unchanged with the official twilio SDK's content.v1 approval calls", async () => {
    const client = twilio(t.account.sid, t.account.authToken, {
      httpClient: new ParleyRequestClient(h.url),
    });
    const sid = await createContent(CARD);
    const name = nextName();
    const created = await client.content.v1
      .contents(sid)
      .approvalCreate.create({ name, category: 'UTILITY' });
    expect(created).toMatchObject({
      name,
      category: 'UTILITY',
      contentType: 'twilio/card',
      status: 'received',
      rejectionReason: '',
      allowCategoryChange: true,
    });
    await waitForStatus(sid, 'pending');
    const fetched = await client.content.v1.contents(sid).approvalFetch().fetch();
    expect(fetched.sid).toBe(sid);
    expect(fetched.accountSid).toBe(t.account.sid);
    expect(fetched.whatsapp).toMatchObject({ name, status: 'pending', type: 'whatsapp' });
    await expect(
      client.content.v1
        .contents(sid)
        .approvalCreate.create({ name: 'Not Valid', category: 'UTILITY' }),
    ).rejects.toMatchObject({ status: 400, code: 20001 });
  });
});

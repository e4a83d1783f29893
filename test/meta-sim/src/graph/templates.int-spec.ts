import { graphError } from '../testing/graph-client';
import { startHarness, type Harness } from '../testing/harness';
import { waitFor } from '../testing/wait';
import { verifyWebhookSignature } from '../webhooks/signature';

const TEMPLATE = {
  name: 'voice_call_test',
  language: 'en',
  category: 'UTILITY',
  components: [
    {
      type: 'BODY',
      text: 'Hello {{1}} let’s continue on a call.',
      example: { body_text: [['name']] },
    },
    { type: 'BUTTONS', buttons: [{ type: 'VOICE_CALL', text: 'Call now' }] },
  ],
};

describe('message templates', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await h.client.createUser({ waId: '15550100002' });
  });
  afterAll(async () => {
    await h.close();
  });

  const waba = () => `/${h.business.wabaId}/message_templates`;

  it('creates a template PENDING, finds it by name and by id, and refuses a duplicate', async () => {
    const created = await h.graph.send('POST', waba(), TEMPLATE, h.business.accessToken);
    expect(created.status).toBe(200);
    expect(created.json).toEqual({
      id: expect.stringMatching(/^\d{15}$/) as string,
      status: 'PENDING',
      category: 'UTILITY',
    });
    const id = String(created.json.id);
    const listed = await h.graph.send(
      'GET',
      `${waba()}?name=voice_call_test`,
      undefined,
      h.business.accessToken,
    );
    expect(listed.json.data).toEqual([
      expect.objectContaining({ id, name: 'voice_call_test', language: 'en', status: 'PENDING' }),
    ]);
    const byId = await h.graph.send('GET', `/${id}`, undefined, h.business.accessToken);
    expect(byId.json).toMatchObject({
      id,
      rejected_reason: 'NONE',
      components: TEMPLATE.components,
    });
    const duplicate = await h.graph.send('POST', waba(), TEMPLATE, h.business.accessToken);
    expect(duplicate.status).toBe(400);
    expect(graphError(duplicate)).toMatchObject({ code: 100 });
    expect(duplicate.json.error).toMatchObject({ error_subcode: 2388024 });
  });

  it('refuses a bad name or category, and another WABA’s token', async () => {
    const badName = await h.graph.send(
      'POST',
      waba(),
      { ...TEMPLATE, name: 'Voice Call' },
      h.business.accessToken,
    );
    expect(graphError(badName)).toMatchObject({ code: 100 });
    const badCategory = await h.graph.send(
      'POST',
      waba(),
      { ...TEMPLATE, name: 'other', category: 'SPAM' },
      h.business.accessToken,
    );
    expect(graphError(badCategory)).toMatchObject({ code: 100 });
    const stranger = await h.client.createBusiness({
      displayPhoneNumber: '15550109999',
      webhookUrl: h.receiver.url,
    });
    const foreign = await h.graph.send('GET', waba(), undefined, stranger.accessToken);
    expect(graphError(foreign)).toMatchObject({ code: 100 });
  });

  it('refuses to send a template until it is approved, then sends it out of session', async () => {
    const [template] = (await h.client.listTemplates()).filter((t) => t.name === 'voice_call_test');
    if (!template) throw new Error('the template of the first test is missing');
    const send = () =>
      h.graph.post('messages', {
        messaging_product: 'whatsapp',
        to: '15550100002',
        type: 'template',
        template: { name: 'voice_call_test', language: { code: 'en' } },
      });
    const pending = await send();
    expect(graphError(pending)).toMatchObject({ code: 132001 });
    const unknown = await h.graph.post('messages', {
      messaging_product: 'whatsapp',
      to: '15550100002',
      type: 'template',
      template: { name: 'nope', language: { code: 'en' } },
    });
    expect(unknown.status).toBe(404);
    expect(graphError(unknown)).toMatchObject({ code: 132001 });

    await h.client.setTemplateStatus(template.id, 'APPROVED');
    const delivered = await waitFor(
      () =>
        h.receiver.received.find(
          (r) => r.payload.entry[0]?.changes[0]?.field === 'message_template_status_update',
        ),
      { what: 'the status webhook' },
    );
    expect(
      verifyWebhookSignature(
        h.business.appSecret,
        delivered.rawBody,
        delivered.headers['x-hub-signature-256'] as string,
      ),
    ).toBe(true);
    expect(delivered.payload.entry[0]).toMatchObject({
      id: h.business.wabaId,
      time: expect.any(Number) as number,
      changes: [
        {
          field: 'message_template_status_update',
          value: {
            event: 'APPROVED',
            message_template_id: Number(template.id),
            message_template_name: 'voice_call_test',
            message_template_language: 'en',
            reason: 'NONE',
          },
        },
      ],
    });
    const sent = await send();
    expect(sent.status).toBe(200);
    expect(sent.json).toMatchObject({ messages: [{ message_status: 'accepted' }] });

    await h.client.setTemplateStatus(template.id, 'PAUSED');
    expect(graphError(await send())).toMatchObject({ code: 132015 });
    const rejected = await h.client.setTemplateStatus(template.id, 'REJECTED', 'INVALID_FORMAT');
    expect(rejected).toMatchObject({ status: 'REJECTED', rejectedReason: 'INVALID_FORMAT' });
  });
});

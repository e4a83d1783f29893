import { graphError } from '../testing/graph-client';
import { startHarness, type Harness } from '../testing/harness';

describe('Graph API surface', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await h.client.createUser({ waId: '15550100002' });
  });
  afterAll(async () => {
    await h.close();
  });

  describe('authentication', () => {
    it('answers a missing token with OAuthException 104', async () => {
      const result = await h.graph.send(
        'GET',
        `/${h.business.phoneNumberId}/settings`,
        undefined,
        null,
      );
      expect(result.status).toBe(400);
      expect(graphError(result)).toMatchObject({ code: 104, type: 'OAuthException' });
      expect(result.json.error).toHaveProperty('fbtrace_id');
    });

    it('answers a bad token with 190 in Meta’s envelope', async () => {
      const result = await h.graph.post(
        'calls',
        { messaging_product: 'whatsapp', action: 'connect' },
        'EAAnot-a-token',
      );
      expect(result.status).toBe(401);
      expect(result.json).toEqual({
        error: {
          message: 'Invalid OAuth access token - Cannot parse access token',
          type: 'OAuthException',
          code: 190,
          fbtrace_id: expect.any(String) as string,
        },
      });
    });

    it('does not let one number’s token act on another number', async () => {
      const other = await h.client.createBusiness({
        displayPhoneNumber: '15550100099',
        webhookUrl: h.receiver.url,
      });
      const result = await h.graph.send(
        'GET',
        `/${other.phoneNumberId}/settings`,
        undefined,
        h.business.accessToken,
      );
      expect(graphError(result)).toMatchObject({ code: 100, type: 'GraphMethodException' });
      expect(result.json.error).toHaveProperty('error_subcode', 33);
    });

    it('lets a token read its own phone number node, with a fields selection, and no other', async () => {
      const own = await h.graph.send(
        'GET',
        `/${h.business.phoneNumberId}?fields=id,display_phone_number`,
        undefined,
        h.business.accessToken,
      );
      expect(own.json).toEqual({
        id: h.business.phoneNumberId,
        display_phone_number: `+${h.business.displayPhoneNumber}`,
      });
      const other = await h.client.createBusiness({
        displayPhoneNumber: '15550100098',
        webhookUrl: h.receiver.url,
      });
      const foreign = await h.graph.send(
        'GET',
        `/${other.phoneNumberId}?fields=id`,
        undefined,
        h.business.accessToken,
      );
      expect(graphError(foreign)).toMatchObject({ code: 100, type: 'GraphMethodException' });
    });

    it('accepts the token as access_token query parameter and never logs it', async () => {
      const response = await fetch(
        `${h.sim.url}/v23.0/${h.business.phoneNumberId}?access_token=${encodeURIComponent(h.business.accessToken)}`,
      );
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({
        id: h.business.phoneNumberId,
        display_phone_number: '+15550100001',
      });
      const logged = await h.client.listGraphRequests({
        phoneNumberId: h.business.phoneNumberId,
        method: 'GET',
      });
      expect(JSON.stringify(logged)).not.toContain(h.business.accessToken);
    });

    it('answers unknown paths with 2500', async () => {
      const response = await fetch(`${h.sim.url}/v21.0/`, {
        headers: { authorization: `Bearer ${h.business.accessToken}` },
      });
      expect(((await response.json()) as { error: { code: number } }).error.code).toBe(2500);
    });
  });

  describe('POST /calls parameters', () => {
    it.each([
      ['no messaging_product', { action: 'connect' }, 100, /messaging_product is required/],
      ['no action', { messaging_product: 'whatsapp' }, 100, /action is required/],
      [
        'unknown action',
        { messaging_product: 'whatsapp', action: 'dial' },
        131009,
        /action must be one of/,
      ],
      [
        'connect without session',
        { messaging_product: 'whatsapp', action: 'connect', to: '15550100002' },
        100,
        /session is required/,
      ],
      [
        'bad to',
        {
          messaging_product: 'whatsapp',
          action: 'connect',
          to: 'abc',
          session: { sdp_type: 'offer', sdp: 'x' },
        },
        131009,
        /to is not a valid/,
      ],
      [
        'connect with an answer',
        {
          messaging_product: 'whatsapp',
          action: 'connect',
          to: '15550100002',
          session: { sdp_type: 'answer', sdp: 'x' },
        },
        131009,
        /sdp_type must be "offer"/,
      ],
      [
        'bad SDP',
        {
          messaging_product: 'whatsapp',
          action: 'connect',
          to: '15550100002',
          session: { sdp_type: 'offer', sdp: 'v=0\r\n' },
        },
        100,
        /Invalid SDP/,
      ],
      [
        'terminate without call_id',
        { messaging_product: 'whatsapp', action: 'terminate' },
        100,
        /call_id is required/,
      ],
      [
        'unknown call_id',
        { messaging_product: 'whatsapp', action: 'terminate', call_id: 'wacid.nope' },
        100,
        /Invalid call_id/,
      ],
      [
        'biz_opaque_callback_data over 512',
        {
          messaging_product: 'whatsapp',
          action: 'connect',
          to: '15550100002',
          biz_opaque_callback_data: 'x'.repeat(513),
        },
        131009,
        /512/,
      ],
    ])('%s', async (_name, body, code, details) => {
      const result = await h.graph.post('calls', body);
      expect(result.status).toBe(400);
      const error = graphError(result);
      expect(error.code).toBe(code);
      expect(error.message).toMatch(new RegExp(`^\\(#${code}\\)`));
      expect(error.error_data?.details).toMatch(details);
      expect(result.json.error).toHaveProperty('error_data.messaging_product', 'whatsapp');
    });

    it('answers a body that is not JSON with 100', async () => {
      const response = await fetch(`${h.sim.url}/v21.0/${h.business.phoneNumberId}/calls`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${h.business.accessToken}`,
          'content-type': 'application/json',
        },
        body: '{not json',
      });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { code: number } }).error.code).toBe(100);
    });
  });

  describe('settings', () => {
    it('reads and updates the calling settings', async () => {
      const before = await h.graph.get('/settings');
      expect(before.json).toEqual({
        calling: {
          status: 'ENABLED',
          call_icon_visibility: 'DEFAULT',
          callback_permission_status: 'DISABLED',
          call_hours: null,
          sip: { status: 'DISABLED', servers: [] },
        },
      });
      const hours = {
        status: 'ENABLED',
        timezone_id: 'Europe/Berlin',
        weekly_operating_hours: [{ day_of_week: 'MONDAY', open_time: '0900', close_time: '1700' }],
        holiday_schedule: [],
      };
      expect(
        (
          await h.graph.post('settings', {
            calling: { call_hours: hours, call_icon_visibility: 'DISABLE_ALL' },
          })
        ).json,
      ).toEqual({
        success: true,
      });
      expect((await h.graph.get('/settings')).json).toMatchObject({
        calling: { call_hours: hours, call_icon_visibility: 'DISABLE_ALL' },
      });
      await h.graph.post('settings', { calling: { call_hours: null } });
    });

    it.each([
      [{ calling: { status: 'MAYBE' } }, /calling\.status/],
      [
        {
          calling: {
            call_hours: {
              status: 'ENABLED',
              timezone_id: 'Mars/Base',
              weekly_operating_hours: [
                { day_of_week: 'MONDAY', open_time: '0900', close_time: '1700' },
              ],
            },
          },
        },
        /timezone/,
      ],
      [
        {
          calling: {
            call_hours: {
              status: 'ENABLED',
              timezone_id: 'UTC',
              weekly_operating_hours: [
                { day_of_week: 'MONDAY', open_time: '1700', close_time: '0900' },
              ],
            },
          },
        },
        /before close_time/,
      ],
    ])('refuses invalid values with 131009 (%j)', async (body, details) => {
      const result = await h.graph.post('settings', body);
      expect(graphError(result).code).toBe(131009);
      expect(graphError(result).error_data?.details).toMatch(details);
    });

    it('does not place user calls outside call hours or while calling is disabled', async () => {
      // Open one minute a week, at a time that is not now.
      const now = new Date((await h.client.now()).nowMs);
      const day = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'][
        (now.getUTCDay() + 3) % 7
      ];
      await h.graph.post('settings', {
        calling: {
          call_hours: {
            status: 'ENABLED',
            timezone_id: 'UTC',
            weekly_operating_hours: [{ day_of_week: day, open_time: '1200', close_time: '1201' }],
            holiday_schedule: [],
          },
        },
      });
      const outside = await h.client.userCall('15550100002', h.business.phoneNumberId);
      expect(outside.call).toMatchObject({
        status: 'refused',
        endReason: 'refused_outside_call_hours',
      });
      await h.graph.post('settings', { calling: { call_hours: null, status: 'DISABLED' } });
      const disabled = await h.client.userCall('15550100002', h.business.phoneNumberId);
      expect(disabled.call).toMatchObject({
        status: 'refused',
        endReason: 'refused_calling_disabled',
      });
      await h.client.grantPermission('15550100002', h.business.phoneNumberId);
      const offer = await (await h.businessPeer()).createOffer();
      const connect = await h.graph.calls({
        to: '15550100002',
        action: 'connect',
        session: { sdp_type: 'offer', sdp: offer },
      });
      expect(graphError(connect).code).toBe(138000);
      await h.graph.post('settings', { calling: { status: 'ENABLED' } });
      expect(await h.client.listWebhookDeliveries({ callId: outside.callId })).toEqual([]);
    });
  });

  describe('call_permissions', () => {
    it('requires user_wa_id', async () => {
      expect(graphError(await h.graph.get('/call_permissions')).code).toBe(100);
    });

    it('reports no permission and the limits for a new user', async () => {
      const result = await h.graph.get('/call_permissions?user_wa_id=15550100077');
      expect(result.json).toEqual({
        messaging_product: 'whatsapp',
        permission: { status: 'no_permission' },
        actions: [
          {
            action_name: 'send_call_permission_request',
            can_perform_action: true,
            limits: [
              { time_period: 'PT24H', max_allowed: 1, current_usage: 0 },
              { time_period: 'P7D', max_allowed: 2, current_usage: 0 },
            ],
          },
          {
            action_name: 'start_call',
            can_perform_action: false,
            limits: [{ time_period: 'PT24H', max_allowed: 5, current_usage: 0 }],
          },
        ],
      });
    });
  });

  describe('messages', () => {
    it('accepts a template and counts it as a permission request when it carries one', async () => {
      const result = await h.graph.post('messages', {
        messaging_product: 'whatsapp',
        to: '+1 555 010 0002',
        type: 'template',
        template: {
          name: 'callback_request',
          language: { code: 'en_US' },
          components: [{ type: 'call_permission_request' }],
        },
      });
      expect(result.json).toMatchObject({
        contacts: [{ input: '+1 555 010 0002', wa_id: '15550100002' }],
        messages: [{ message_status: 'accepted' }],
      });
      expect(
        (await h.client.getPermission('15550100002', h.business.phoneNumberId)).requests[0],
      ).toMatchObject({ currentUsage: 1 });
    });

    it('reports an unknown recipient asynchronously with 131026', async () => {
      const result = await h.graph.post('messages', {
        messaging_product: 'whatsapp',
        to: '15559999999',
        type: 'text',
        text: { body: 'hi' },
      });
      expect(result.status).toBe(200);
      const [failed] = await h.client.waitForWebhookDeliveries({ kind: 'messages.status.failed' });
      expect(failed?.payload.entry[0]?.changes[0]?.value).toMatchObject({
        statuses: [{ status: 'failed', recipient_id: '15559999999', errors: [{ code: 131026 }] }],
      });
    });
  });

  it('records every Graph request, including refused ones', async () => {
    const requests = await h.client.listGraphRequests({ edge: 'calls' });
    expect(requests.length).toBeGreaterThan(5);
    expect(requests.find((r) => r.errorCode === 190)).toMatchObject({
      status: 401,
      method: 'POST',
      version: 'v21.0',
    });
  });
});

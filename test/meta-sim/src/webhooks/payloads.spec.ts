import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BusinessRecord, SimCall, UserRecord } from '../sim/types';
import { callPermissionReply, callStatus, callTerminate, userInitiatedConnect } from './payloads';
import { signWebhookBody, verifyWebhookSignature } from './signature';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(join(__dirname, '../../fixtures/meta', name), 'utf8')) as unknown;

const business = {
  phoneNumberId: '518638374672395',
  displayPhoneNumber: '15550100001',
  wabaId: '553133154547046',
} as BusinessRecord;
const user: UserRecord = {
  waId: '15550100002',
  name: 'Test User',
  createdAt: '',
  behaviour: {
    onIncomingCall: 'answer',
    answerAfterMs: 0,
    speak: null,
    permissionReply: 'none',
    permanent: false,
    permissionReplyAfterMs: 0,
    hangupAfterMs: null,
  },
};
const call = {
  id: 'wacid.HBgMMTU1NTAxMDAwMDIVAgASGCBBQ0Q4OTc5RDc3MjgyNkFFNkU0QTYzNTc0MTM0ODhFRRwYCzE1NTUwMTAwMDAxFQIAFQoA',
  direction: 'USER_INITIATED',
  from: '15550100002',
  to: '15550100001',
  waId: '15550100002',
  bizOpaqueCallbackData: null,
} as SimCall;

describe('webhook payloads', () => {
  it('writes the user-initiated connect exactly as captured', () => {
    const captured = fixture('user-initiated-connect.json') as {
      entry: Array<{
        changes: Array<{
          value: { calls: Array<{ session: { sdp: string }; timestamp: string }> };
        }>;
      }>;
    };
    const capturedCall = captured.entry[0]?.changes[0]?.value.calls[0];
    const built = userInitiatedConnect(
      business,
      user,
      call,
      capturedCall?.session.sdp ?? '',
      Number(capturedCall?.timestamp),
    );
    expect(JSON.stringify(built)).toBe(JSON.stringify(captured));
  });

  it('writes the FAILED 138021 terminate exactly as captured', () => {
    const captured = fixture('user-initiated-terminate-failed-138021.json');
    const error = {
      code: 138021,
      title:
        'WhatsApp client terminated the call due to not receiving any media for a long time. Please try again',
      message:
        'WhatsApp client terminated the call due to not receiving any media for a long time. Please try again',
      error_data: {
        details:
          'WhatsApp client terminated the call due to not receiving any media for a long time.',
      },
    };
    const built = callTerminate(
      business,
      user,
      call,
      { timestamp: 1760681533, startTime: 1760681513, endTime: 1760681533 },
      'FAILED',
      [error],
    );
    expect(JSON.stringify(built)).toBe(JSON.stringify(captured));
  });

  it('leaves times out of an unanswered terminate and adds biz_opaque_callback_data when set', () => {
    const business2 = {
      ...call,
      direction: 'BUSINESS_INITIATED',
      bizOpaqueCallbackData: 'CA1',
    } as SimCall;
    const built = callTerminate(
      business,
      user,
      business2,
      { timestamp: 10, startTime: null, endTime: 10 },
      'COMPLETED',
      [],
    );
    const value = built.entry[0]?.changes[0]?.value as {
      calls: Array<Record<string, unknown>>;
      contacts?: unknown;
    };
    expect(value.contacts).toBeUndefined();
    expect(value.calls[0]).toEqual({
      id: call.id,
      from: call.from,
      to: call.to,
      event: 'terminate',
      timestamp: '10',
      direction: 'BUSINESS_INITIATED',
      biz_opaque_callback_data: 'CA1',
      status: 'COMPLETED',
    });
    expect(
      callStatus(business, business2, 'RINGING', 11).entry[0]?.changes[0]?.value.statuses,
    ).toEqual([
      {
        id: call.id,
        timestamp: '11',
        type: 'call',
        status: 'RINGING',
        recipient_id: '15550100002',
        biz_opaque_callback_data: 'CA1',
      },
    ]);
  });

  it('writes a permanent permission reply without expiration', () => {
    const built = callPermissionReply(
      business,
      user,
      {
        response: 'accept',
        isPermanent: true,
        expirationTimestamp: null,
        responseSource: 'user_action',
      },
      { id: 'wamid.x', timestamp: 5, contextMessageId: 'wamid.req' },
    );
    expect(built.entry[0]?.changes[0]).toMatchObject({
      field: 'messages',
      value: {
        messages: [
          {
            context: { from: '15550100001', id: 'wamid.req' },
            from: '15550100002',
            type: 'interactive',
            interactive: {
              type: 'call_permission_reply',
              call_permission_reply: {
                response: 'accept',
                is_permanent: true,
                response_source: 'user_action',
              },
            },
          },
        ],
      },
    });
  });
});

describe('X-Hub-Signature-256', () => {
  it('is the hex HMAC-SHA256 of the raw body with the app secret', () => {
    const body = '{"object":"whatsapp_business_account"}';
    const expected = `sha256=${createHmac('sha256', 'secret').update(body).digest('hex')}`;
    expect(signWebhookBody('secret', body)).toBe(expected);
    expect(verifyWebhookSignature('secret', Buffer.from(body), expected)).toBe(true);
    expect(verifyWebhookSignature('other', body, expected)).toBe(false);
    expect(verifyWebhookSignature('secret', `${body} `, expected)).toBe(false);
    expect(verifyWebhookSignature('secret', body, undefined)).toBe(false);
  });
});

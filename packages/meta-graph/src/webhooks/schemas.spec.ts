import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  extractWebhookEvents,
  payloadPhoneNumberIds,
  payloadTemplateWabaIds,
  payloadWabaIds,
} from './events';
import { WebhookPayload } from './schemas';

const fixtures = join(__dirname, '..', '..', 'fixtures');
function load(set: 'valid' | 'invalid', name: string): unknown {
  return JSON.parse(readFileSync(join(fixtures, set, name), 'utf8')) as unknown;
}
function parseValid(name: string): WebhookPayload {
  return WebhookPayload.parse(load('valid', name));
}

describe('webhook payload schemas', () => {
  it.each(readdirSync(join(fixtures, 'valid')))('accepts valid/%s', (name) => {
    expect(WebhookPayload.safeParse(load('valid', name)).success).toBe(true);
  });

  it.each(readdirSync(join(fixtures, 'invalid')))('rejects invalid/%s', (name) => {
    expect(WebhookPayload.safeParse(load('invalid', name)).success).toBe(false);
  });

  it('reads the real user-initiated connect: offer SDP, caller, profile name', () => {
    const events = extractWebhookEvents(parseValid('calls-user-initiated-connect.json'));
    expect(events).toHaveLength(1);
    const [event] = events;
    if (event?.kind !== 'call') throw new Error(`expected a call event, got ${event?.kind}`);
    expect(event.wabaId).toBe('553133154547046');
    expect(event.phoneNumberId).toBe('518638374672395');
    expect(event.call.event).toBe('connect');
    expect(event.call.direction).toBe('USER_INITIATED');
    expect(event.call.from).toBe('15550100002');
    expect(event.call.timestamp).toBe(1760681506);
    expect(event.call.session?.sdp_type).toBe('offer');
    expect(event.call.session?.sdp).toContain('a=ice-lite');
    expect(event.contacts[0]?.profile?.name).toBe('Test User');
    expect(event.key).toBe(`518638374672395:call:${event.call.id}:connect`);
  });

  it('reads the real failed terminate with its error code and duration', () => {
    const [event] = extractWebhookEvents(
      parseValid('calls-user-initiated-terminate-failed-138021.json'),
    );
    if (event?.kind !== 'call') throw new Error('expected a call event');
    expect(event.call.event).toBe('terminate');
    expect(event.call.status).toBe('FAILED');
    expect(event.call.duration).toBe(20);
    expect(event.call.start_time).toBe(1760681513);
    expect(event.call.errors?.[0]?.code).toBe(138021);
  });

  it('reads business-initiated statuses and the answer SDP of the connect', () => {
    const [status] = extractWebhookEvents(
      parseValid('calls-business-initiated-status-ringing.json'),
    );
    if (status?.kind !== 'call-status') throw new Error('expected a call status');
    expect(status.status.status).toBe('RINGING');
    expect(status.status.biz_opaque_callback_data).toBe('random_string');
    const [connect] = extractWebhookEvents(parseValid('calls-business-initiated-connect.json'));
    if (connect?.kind !== 'call') throw new Error('expected a call event');
    expect(connect.call.direction).toBe('BUSINESS_INITIATED');
    expect(connect.call.session?.sdp_type).toBe('answer');
  });

  it('classifies a call permission reply apart from other messages', () => {
    const [reply] = extractWebhookEvents(parseValid('messages-call-permission-reply.json'));
    if (reply?.kind !== 'permission-reply') throw new Error('expected a permission reply');
    expect(reply.reply).toMatchObject({
      response: 'accept',
      is_permanent: false,
      expiration_timestamp: 1749802400,
      response_source: 'user_action',
    });
    const [text] = extractWebhookEvents(parseValid('messages-text.json'));
    expect(text?.kind).toBe('message');
  });

  it('gives the same key to a redelivered event and different keys to different events', () => {
    const a = extractWebhookEvents(parseValid('calls-user-initiated-connect.json'));
    const b = extractWebhookEvents(parseValid('calls-user-initiated-connect.json'));
    const t = extractWebhookEvents(parseValid('calls-user-initiated-terminate-failed-138021.json'));
    expect(a[0]?.key).toBe(b[0]?.key);
    expect(a[0]?.key).not.toBe(t[0]?.key);
  });

  it('keeps changes of unsubscribed fields as unsupported events', () => {
    const payload = WebhookPayload.parse({
      object: 'whatsapp_business_account',
      entry: [{ id: '1', changes: [{ field: 'account_update', value: { x: 1 } }] }],
    });
    expect(extractWebhookEvents(payload).map((e) => e.kind)).toEqual(['unsupported']);
  });

  it('names the phone numbers and WABAs a payload speaks for', () => {
    const payload = parseValid('calls-user-initiated-connect.json');
    expect(payloadPhoneNumberIds(payload)).toEqual(['518638374672395']);
    expect(payloadWabaIds(payload)).toEqual(['553133154547046']);
  });

  it('reads template status, quality and category changes of a WABA (no phone number)', () => {
    const payload = WebhookPayload.parse({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '102290129340398',
          time: 1760681506,
          changes: [
            {
              field: 'message_template_status_update',
              value: {
                event: 'REJECTED',
                message_template_id: 1234567890123,
                message_template_name: 'voice_call_test',
                message_template_language: 'en',
                reason: 'INVALID_FORMAT',
              },
            },
            {
              field: 'message_template_quality_update',
              value: {
                previous_quality_score: 'GREEN',
                new_quality_score: 'YELLOW',
                message_template_id: 1234567890123,
                message_template_name: 'voice_call_test',
                message_template_language: 'en',
              },
            },
            {
              field: 'template_category_update',
              value: {
                message_template_id: '1234567890123',
                message_template_name: 'voice_call_test',
                message_template_language: 'en',
                previous_category: 'UTILITY',
                new_category: 'MARKETING',
              },
            },
          ],
        },
      ],
    });
    const events = extractWebhookEvents(payload);
    expect(events.map((e) => [e.kind, e.wabaId, e.phoneNumberId])).toEqual([
      ['template-status', '102290129340398', ''],
      ['template-quality', '102290129340398', ''],
      ['template-category', '102290129340398', ''],
    ]);
    const [status] = events;
    if (status?.kind !== 'template-status') throw new Error('expected a template status');
    expect(status.template).toMatchObject({
      event: 'REJECTED',
      message_template_id: '1234567890123',
      reason: 'INVALID_FORMAT',
    });
    expect(status.key).toBe('102290129340398:template-status:1234567890123:REJECTED:1760681506');
    expect(payloadTemplateWabaIds(payload)).toEqual(['102290129340398']);
    expect(payloadPhoneNumberIds(payload)).toEqual([]);
  });

  it('refuses a template status change without its template id', () => {
    expect(
      WebhookPayload.safeParse({
        object: 'whatsapp_business_account',
        entry: [
          {
            id: '1',
            changes: [
              {
                field: 'message_template_status_update',
                value: {
                  event: 'APPROVED',
                  message_template_name: 'x',
                  message_template_language: 'en',
                },
              },
            ],
          },
        ],
      }).success,
    ).toBe(false);
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { extractWebhookEvents, payloadPhoneNumberIds, payloadWabaIds } from './events';
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
});

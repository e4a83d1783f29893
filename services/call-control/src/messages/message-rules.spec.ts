import {
  inboundContent,
  messageErrorFromMeta,
  nextMessageStatus,
  SESSION_WINDOW_MS,
  sessionOpen,
} from './message-rules';
import { parseContentVariables } from './messages.schemas';

describe('the 24-hour customer service window', () => {
  const now = new Date('2026-12-01T12:00:00Z');
  it.each([
    ['never written', null, false],
    ['written a minute ago', new Date(now.getTime() - 60_000), true],
    ['written 1 ms inside 24 h', new Date(now.getTime() - SESSION_WINDOW_MS + 1), true],
    ['written exactly 24 h ago', new Date(now.getTime() - SESSION_WINDOW_MS), false],
    ['written 25 h ago', new Date(now.getTime() - 25 * 3_600_000), false],
  ])('%s: open=%s', (_name, last, open) => {
    expect(sessionOpen(last, now)).toBe(open);
  });
});

describe('message status order', () => {
  it.each([
    ['queued', 'sent', 'sent'],
    ['sent', 'delivered', 'delivered'],
    ['queued', 'delivered', 'delivered'],
    ['delivered', 'read', 'read'],
    ['delivered', 'sent', null],
    ['read', 'delivered', null],
    ['sent', 'sent', null],
    ['queued', 'failed', 'failed'],
    ['sent', 'failed', 'failed'],
    ['delivered', 'failed', null],
    ['failed', 'delivered', null],
    ['received', 'sent', null],
  ] as const)('%s + %s -> %s', (current, incoming, expected) => {
    expect(nextMessageStatus(current, incoming)).toBe(expected);
  });
});

describe("Meta's messaging errors as Twilio's", () => {
  it.each([
    [131047, 63016],
    [131026, 63003],
    [100, 63005],
    [130429, 63018],
    [190, 63001],
    [138009, 37004],
    [999999, 30008],
    [undefined, 30008],
  ])('%s -> %s', (meta, twilio) => {
    expect(messageErrorFromMeta(meta)).toBe(twilio);
  });
});

describe('incoming messages as the business receives them', () => {
  it('reads a call-permission reply as seed 001 shows it', () => {
    expect(
      inboundContent({
        type: 'interactive',
        interactive: {
          type: 'call_permission_reply',
          call_permission_reply: { response: 'reject' },
        },
      }),
    ).toEqual({
      messageType: 'interactive',
      body: 'VOICE_CALL_REQUEST',
      buttonText: 'VOICE_CALL_REQUEST',
      buttonPayload: 'REJECTED',
    });
    expect(
      inboundContent({
        type: 'interactive',
        interactive: {
          type: 'call_permission_reply',
          call_permission_reply: { response: 'accept' },
        },
      }).buttonPayload,
    ).toBe('ACCEPTED');
  });

  it('reads text, template buttons and media types', () => {
    expect(inboundContent({ type: 'text', text: { body: 'hi' } })).toMatchObject({
      messageType: 'text',
      body: 'hi',
      buttonPayload: null,
    });
    expect(inboundContent({ type: 'button', button: { text: 'Yes', payload: 'Y' } })).toMatchObject(
      {
        messageType: 'button',
        body: 'Yes',
        buttonText: 'Yes',
        buttonPayload: 'Y',
      },
    );
    expect(inboundContent({ type: 'image' })).toMatchObject({ messageType: 'image', body: '' });
  });
});

describe('ContentVariables', () => {
  it.each([
    ['{"1":"Ana","2":3}', { ok: true, value: { '1': 'Ana', '2': '3' } }],
    ['not json', { ok: false }],
    ['[1]', { ok: false }],
    ['{"1":{"x":1}}', { ok: false }],
  ])('%s', (raw, expected) => {
    expect(parseContentVariables(raw)).toMatchObject(expected);
  });
});

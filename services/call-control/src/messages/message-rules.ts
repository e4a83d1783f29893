import { type ErrorCode, type MessageStatus } from '@parley/contracts';

/**
 * WhatsApp's messaging rules as pure functions: the customer service window, the order of
 * a message's statuses, and what Meta's messaging errors mean for a Twilio client.
 */

/**
 * Free-form (session) messages may only be sent within this long of the user's last
 * message to the business (seed 002: "Sessions are valid for 24 hours after the most
 * recently received message").
 */
export const SESSION_WINDOW_MS = 24 * 3_600_000;

/** Whether the 24-hour window is open at `now`, given the user's last message (if any). */
export function sessionOpen(
  lastInboundAt: Date | null,
  now: Date,
  windowMs: number = SESSION_WINDOW_MS,
): boolean {
  if (!lastInboundAt) return false;
  const age = now.getTime() - lastInboundAt.getTime();
  return age < windowMs;
}

const PROGRESS: Partial<Record<MessageStatus, number>> = {
  queued: 0,
  sent: 1,
  delivered: 2,
  read: 3,
};

/**
 * The status a message moves to when `incoming` is reported while it is `current`, or
 * null when the report changes nothing: statuses only move forward (Meta's webhooks may
 * arrive out of order), `failed` ends a message that was not yet delivered, and a failed
 * or read message stays as it is.
 */
export function nextMessageStatus(
  current: MessageStatus,
  incoming: MessageStatus,
): MessageStatus | null {
  if (current === 'failed' || current === 'undelivered' || current === 'received') return null;
  if (incoming === 'failed' || incoming === 'undelivered') {
    return current === 'queued' || current === 'sent' ? incoming : null;
  }
  const from = PROGRESS[current];
  const to = PROGRESS[incoming];
  if (from === undefined || to === undefined) return null;
  return to > from ? incoming : null;
}

/** Meta's message statuses (webhook `statuses[].status`) as Twilio's; others are ignored. */
export function statusFromMeta(status: string): MessageStatus | null {
  switch (status) {
    case 'sent':
      return 'sent';
    case 'delivered':
      return 'delivered';
    case 'read':
      return 'read';
    case 'failed':
      return 'failed';
    default:
      return null;
  }
}

/**
 * Meta's messaging error codes as Twilio's message error codes.
 *
 * | Meta code(s)                         | Twilio | meaning                                               |
 * | ------------------------------------ | ------ | ----------------------------------------------------- |
 * | 131047                               | 63016  | outside the 24 h customer service window              |
 * | 131026, 131030                       | 63003  | the recipient is not reachable on WhatsApp            |
 * | 100, 131008, 131009, 131051, 131053  | 63005  | the message content is not accepted                   |
 * | 4, 80007, 130429, 131048, 131056     | 63018  | rate limited                                          |
 * | 0, 3, 10, 190, 200-299, 131005, 131031 | 63001 | the sender's Meta token or permissions are not usable |
 * | 138009                               | 37004  | call-permission request limit reached                 |
 * | anything else                        | 30008  | unknown                                               |
 */
export function messageErrorFromMeta(metaCode: number | undefined): ErrorCode {
  if (metaCode === undefined) return 30008;
  if (metaCode === 131047) return 63016;
  if (metaCode === 131026 || metaCode === 131030) return 63003;
  if ([100, 131008, 131009, 131051, 131053].includes(metaCode)) return 63005;
  if ([4, 80007, 130429, 131048, 131056].includes(metaCode)) return 63018;
  if ([0, 3, 10, 190, 131005, 131031].includes(metaCode)) return 63001;
  if (metaCode >= 200 && metaCode <= 299) return 63001;
  if (metaCode === 138009) return 37004;
  return 30008;
}

/**
 * What the business receives for an inbound WhatsApp message (Twilio's incoming message
 * webhook): its type and text, and the button it answered. A call-permission reply reads
 * as seed 001 shows: Body and ButtonText `VOICE_CALL_REQUEST`, ButtonPayload
 * `ACCEPTED` / `REJECTED`, MessageType `interactive`.
 */
export interface InboundContent {
  messageType: string;
  body: string;
  buttonText: string | null;
  buttonPayload: string | null;
}

export interface MetaInboundMessage {
  type: string;
  text?: { body: string } | undefined;
  button?: { text?: string | undefined; payload?: string | undefined } | undefined;
  interactive?:
    | {
        type: string;
        call_permission_reply?: { response: 'accept' | 'reject' } | undefined;
        button_reply?: { id: string; title: string } | undefined;
      }
    | undefined;
}

export function inboundContent(message: MetaInboundMessage): InboundContent {
  const reply = message.interactive?.call_permission_reply;
  if (message.interactive?.type === 'call_permission_reply' && reply) {
    return {
      messageType: 'interactive',
      body: 'VOICE_CALL_REQUEST',
      buttonText: 'VOICE_CALL_REQUEST',
      buttonPayload: reply.response === 'accept' ? 'ACCEPTED' : 'REJECTED',
    };
  }
  const button = message.interactive?.button_reply;
  if (message.interactive && button) {
    return {
      messageType: 'interactive',
      body: button.title,
      buttonText: button.title,
      buttonPayload: button.id,
    };
  }
  if (message.type === 'button' && message.button) {
    const text = message.button.text ?? '';
    return {
      messageType: 'button',
      body: text,
      buttonText: text,
      buttonPayload: message.button.payload ?? null,
    };
  }
  if (message.type === 'text' && message.text) {
    return { messageType: 'text', body: message.text.body, buttonText: null, buttonPayload: null };
  }
  return {
    messageType: message.type.slice(0, 32),
    body: '',
    buttonText: null,
    buttonPayload: null,
  };
}

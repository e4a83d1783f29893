import {
  type MetaCallWebhook,
  type CallPermissionReply,
  type CallStatusEvent,
  type Contact,
  type InboundMessage,
  isKnownChange,
  isTemplateChange,
  type MetaWebhookError,
  type TemplateCategoryUpdate,
  type TemplateQualityUpdate,
  type TemplateStatusUpdate,
  type WebhookPayload,
} from './schemas';

interface Origin {
  /** WhatsApp Business Account id (`entry[].id`). */
  wabaId: string;
  /** The business number's Graph id (`metadata.phone_number_id`). */
  phoneNumberId: string;
  /** The business number, digits only (`metadata.display_phone_number`). */
  displayPhoneNumber: string;
  contacts: Contact[];
}

/**
 * One thing that happened, taken out of a webhook delivery. `key` identifies the event
 * itself (not the delivery), so a redelivered or duplicated webhook yields the same key
 * and can be dropped.
 */
export type WebhookEvent = Origin & { key: string } & (
    | { kind: 'call'; call: MetaCallWebhook }
    | { kind: 'call-status'; status: CallStatusEvent }
    | {
        kind: 'permission-reply';
        message: InboundMessage;
        reply: CallPermissionReply;
      }
    | { kind: 'message'; message: InboundMessage }
    | {
        kind: 'message-status';
        messageId: string;
        status: string;
        timestamp: number;
        errors: MetaWebhookError[];
      }
    | { kind: 'template-status'; template: TemplateStatusUpdate }
    | { kind: 'template-quality'; template: TemplateQualityUpdate }
    | { kind: 'template-category'; template: TemplateCategoryUpdate }
    | { kind: 'unsupported'; field: string }
  );
export type WebhookEventKind = WebhookEvent['kind'];

/** Flattens a validated payload into its events, in delivery order. */
export function extractWebhookEvents(payload: WebhookPayload): WebhookEvent[] {
  const events: WebhookEvent[] = [];
  for (const entry of payload.entry) {
    entry.changes.forEach((change, index) => {
      if (isTemplateChange(change)) {
        const waba: Origin = {
          wabaId: entry.id,
          phoneNumberId: '',
          displayPhoneNumber: '',
          contacts: [],
        };
        // A template may go APPROVED -> PAUSED -> APPROVED: the entry's time tells the two
        // APPROVED apart, and a redelivery (same time) keeps its key.
        const at = entry.time ?? 0;
        const id = change.value.message_template_id;
        if (change.field === 'message_template_status_update') {
          events.push({
            ...waba,
            kind: 'template-status',
            template: change.value,
            key: `${entry.id}:template-status:${id}:${change.value.event}:${at}`,
          });
        } else if (change.field === 'message_template_quality_update') {
          events.push({
            ...waba,
            kind: 'template-quality',
            template: change.value,
            key: `${entry.id}:template-quality:${id}:${change.value.new_quality_score}:${at}`,
          });
        } else {
          events.push({
            ...waba,
            kind: 'template-category',
            template: change.value,
            key: `${entry.id}:template-category:${id}:${change.value.new_category}:${at}`,
          });
        }
        return;
      }
      if (!isKnownChange(change)) {
        events.push({
          kind: 'unsupported',
          field: change.field,
          key: `unsupported:${entry.id}:${change.field}:${index}`,
          wabaId: entry.id,
          phoneNumberId: '',
          displayPhoneNumber: '',
          contacts: [],
        });
        return;
      }
      const origin: Origin = {
        wabaId: entry.id,
        phoneNumberId: change.value.metadata.phone_number_id,
        displayPhoneNumber: change.value.metadata.display_phone_number,
        contacts: change.value.contacts ?? [],
      };
      const scope = origin.phoneNumberId;
      if (change.field === 'calls') {
        for (const call of change.value.calls ?? []) {
          events.push({
            ...origin,
            kind: 'call',
            call,
            key: `${scope}:call:${call.id}:${call.event}`,
          });
        }
        for (const status of change.value.statuses ?? []) {
          events.push({
            ...origin,
            kind: 'call-status',
            status,
            key: `${scope}:call-status:${status.id}:${status.status}`,
          });
        }
        return;
      }
      for (const message of change.value.messages ?? []) {
        const reply = message.interactive?.call_permission_reply;
        const key = `${scope}:message:${message.id}`;
        if (message.interactive?.type === 'call_permission_reply' && reply) {
          events.push({ ...origin, kind: 'permission-reply', message, reply, key });
        } else {
          events.push({ ...origin, kind: 'message', message, key });
        }
      }
      for (const s of change.value.statuses ?? []) {
        events.push({
          ...origin,
          kind: 'message-status',
          messageId: s.id,
          status: s.status,
          timestamp: s.timestamp,
          errors: s.errors ?? [],
          key: `${scope}:message-status:${s.id}:${s.status}`,
        });
      }
    });
  }
  return events;
}

/** The phone_number_ids a payload speaks for (to find whose app secret signs it). */
export function payloadPhoneNumberIds(payload: WebhookPayload): string[] {
  const ids = new Set<string>();
  for (const entry of payload.entry) {
    for (const change of entry.changes) {
      if (isKnownChange(change)) {
        ids.add(change.value.metadata.phone_number_id);
      }
    }
  }
  return [...ids];
}

/** The WABA ids of a payload's template changes (they name no phone number). */
export function payloadTemplateWabaIds(payload: WebhookPayload): string[] {
  const ids = new Set<string>();
  for (const entry of payload.entry) {
    if (entry.changes.some((c) => isTemplateChange(c))) ids.add(entry.id);
  }
  return [...ids];
}

/** The WABA ids (`entry[].id`) of a payload. */
export function payloadWabaIds(payload: WebhookPayload): string[] {
  return [...new Set(payload.entry.map((e) => e.id))];
}

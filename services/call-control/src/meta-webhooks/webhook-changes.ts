import { createHash } from 'node:crypto';
import {
  describeWebhookIssues,
  extractWebhookEvents,
  WebhookPayload,
  type WebhookEvent,
} from '@parley/meta-graph';

/** One change of a delivery, parsed on its own: its events, or why it could not be read. */
export type ParsedChange =
  | { ok: true; events: WebhookEvent[] }
  | {
      ok: false;
      /** Stable per content: a redelivered bad change is stored once. */
      key: string;
      phoneNumberId: string;
      /** What is kept to re-parse it later (after an upgrade that understands it). */
      stored: { object: unknown; entryId: unknown; change: unknown };
      problem: string;
    };

function phoneNumberIdOf(change: unknown): string {
  const id = (change as { value?: { metadata?: { phone_number_id?: unknown } } } | null)?.value
    ?.metadata?.phone_number_id;
  return typeof id === 'string' && id.length <= 64 ? id : '';
}

/** Re-parses a change kept by `splitChanges` (the admin re-drive). */
export function parseStoredChange(stored: {
  object: unknown;
  entryId: unknown;
  change: unknown;
}): ParsedChange {
  const payload = {
    object: stored.object,
    entry: [{ id: stored.entryId, changes: [stored.change] }],
  };
  const parsed = WebhookPayload.safeParse(payload);
  if (parsed.success) return { ok: true, events: extractWebhookEvents(parsed.data) };
  const digest = createHash('sha256').update(JSON.stringify(payload)).digest('hex');
  return {
    ok: false,
    key: `unparsed:${digest}`,
    phoneNumberId: phoneNumberIdOf(stored.change),
    stored,
    problem: describeWebhookIssues(parsed.error),
  };
}

/**
 * Splits a signed delivery into its changes and parses each alone, so one change Parley
 * does not understand never loses the others of its delivery. A body without the
 * `entry[].changes[]` shape is one unreadable change.
 */
export function splitChanges(body: unknown): ParsedChange[] {
  const object = (body as { object?: unknown } | null)?.object;
  const entries = (body as { entry?: unknown } | null)?.entry;
  if (!Array.isArray(entries)) {
    return [parseStoredChange({ object, entryId: null, change: body })];
  }
  const out: ParsedChange[] = [];
  for (const entry of entries as unknown[]) {
    const entryId = (entry as { id?: unknown } | null)?.id;
    const changes = (entry as { changes?: unknown } | null)?.changes;
    if (!Array.isArray(changes)) {
      out.push(parseStoredChange({ object, entryId, change: entry }));
      continue;
    }
    for (const change of changes as unknown[]) {
      out.push(parseStoredChange({ object, entryId, change }));
    }
  }
  return out;
}

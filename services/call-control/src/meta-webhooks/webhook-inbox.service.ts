import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ParleyError } from '@parley/contracts';
import { TEMPLATE_FIELDS, verifyHubSignature, type WebhookEvent } from '@parley/meta-graph';
import { PARLEY_LOGGER, type ParleyLogger } from '@parley/nest-kit';
import { type DataSource } from 'typeorm';
import { type QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { safeEqual } from '../secrets/secret-hash';
import { type SenderEntity } from '../senders/sender.entity';
import { SendersService } from '../senders/senders.service';
import { InboxMetrics } from './inbox-metrics';
import { MetaWebhookDeliveryEntity } from './meta-webhook-delivery.entity';
import { LEASE_SECONDS } from './webhook-processor.service';
import { MetaWebhookEventEntity } from './meta-webhook-event.entity';
import { splitChanges } from './webhook-changes';

/** Event kinds Parley acts on; the others are acknowledged and dropped. */
const STORED_KINDS = new Set<WebhookEvent['kind']>([
  'call',
  'call-status',
  'permission-reply',
  'message',
  'message-status',
  'template-status',
  'template-quality',
  'template-category',
]);

export interface StoredEvent {
  id: string;
  /** The event's de-duplication key, e.g. `<scope>:call:<meta call id>:<event>`. */
  key: string;
}

export interface ReceiveOutcome {
  /** Inbox rows created by this delivery (to process now), with their event keys. */
  stored: StoredEvent[];
  duplicates: number;
  ignored: number;
  /** Changes that could not be parsed: stored as failed inbox rows, to re-drive. */
  unparsed: number;
}

/** Every `metadata.phone_number_id` of a payload, read without trusting its shape. */
export function phoneNumberIdsOf(body: unknown): string[] {
  const ids = new Set<string>();
  const entries = (body as { entry?: unknown } | null)?.entry;
  if (!Array.isArray(entries)) return [];
  for (const entry of entries as unknown[]) {
    const changes = (entry as { changes?: unknown } | null)?.changes;
    if (!Array.isArray(changes)) continue;
    for (const change of changes as unknown[]) {
      const id = (change as { value?: { metadata?: { phone_number_id?: unknown } } } | null)?.value
        ?.metadata?.phone_number_id;
      if (typeof id === 'string' && id.length > 0 && id.length <= 64) ids.add(id);
    }
  }
  return [...ids];
}

/** The WABA ids (`entry[].id`) of a payload's template changes, read without trusting its shape. */
export function templateWabaIdsOf(body: unknown): string[] {
  const ids = new Set<string>();
  const entries = (body as { entry?: unknown } | null)?.entry;
  if (!Array.isArray(entries)) return [];
  for (const entry of entries as unknown[]) {
    const id = (entry as { id?: unknown } | null)?.id;
    const changes = (entry as { changes?: unknown } | null)?.changes;
    if (typeof id !== 'string' || id.length === 0 || id.length > 64 || !Array.isArray(changes))
      continue;
    const templates = (changes as unknown[]).some((change) => {
      const field = (change as { field?: unknown } | null)?.field;
      return typeof field === 'string' && TEMPLATE_FIELDS.includes(field);
    });
    if (templates) ids.add(id);
  }
  return [...ids];
}

/** The inbox row of an event Parley acts on. */
export function inboxRow(
  event: WebhookEvent,
  sender: SenderEntity,
): Partial<MetaWebhookEventEntity> {
  return {
    key: event.key.slice(0, 512),
    kind: event.kind,
    phoneNumberId: event.phoneNumberId,
    senderSid: sender.sid,
    payload: event as unknown as Record<string, unknown>,
  };
}

/** Event kinds the inbox stores for processing; the others are acknowledged and dropped. */
export function isStoredKind(kind: WebhookEvent['kind']): boolean {
  return STORED_KINDS.has(kind);
}

class SignatureError extends ParleyError {
  constructor(message: string) {
    super(20003, message, { status: 401 });
  }
}

/**
 * Meta webhook ingress: authenticates the delivery (X-Hub-Signature-256 over the raw
 * bytes, keyed by the app secret of the sender it speaks for) before anything is stored,
 * then stores each event once in the inbox, keyed by what the event is.
 */
@Injectable()
export class WebhookInbox {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly senders: SendersService,
    private readonly metrics: InboxMetrics,
    @Inject(PARLEY_LOGGER) private readonly logger: ParleyLogger,
  ) {}

  async receive(
    rawBody: Buffer | undefined,
    signature: string | undefined,
  ): Promise<ReceiveOutcome> {
    if (!signature) throw new SignatureError('X-Hub-Signature-256 is missing');
    if (!rawBody?.length)
      throw new ParleyError(
        20001,
        'The webhook body must be JSON (Content-Type: application/json)',
      );
    let body: unknown;
    try {
      body = JSON.parse(rawBody.toString('utf8')) as unknown;
    } catch {
      throw new SignatureError('The webhook body is not JSON, so it cannot be from Meta');
    }
    const senders = await this.senders.findByPhoneNumberIds(phoneNumberIdsOf(body));
    // Template changes name only their WABA: one of its senders' app secrets must sign them.
    const wabaIds = templateWabaIdsOf(body);
    const wabaSenders = await this.senders.findByWabaIds(wabaIds);
    if (!senders.length && !wabaSenders.length)
      throw new SignatureError('The webhook names no phone_number_id or WABA of a known sender');
    // Each sender named must have signed it: one app's secret signs all its numbers.
    for (const sender of senders) {
      if (!verifyHubSignature(rawBody, signature, this.senders.appSecret(sender))) {
        throw new SignatureError('X-Hub-Signature-256 does not match the body');
      }
    }
    const byWabaId = new Map<string, SenderEntity>();
    for (const wabaId of wabaIds) {
      const signer = wabaSenders.find(
        (s) =>
          s.wabaId === wabaId && verifyHubSignature(rawBody, signature, this.senders.appSecret(s)),
      );
      if (!signer) throw new SignatureError('X-Hub-Signature-256 does not match the body');
      byWabaId.set(wabaId, signer);
    }

    const byPhoneNumberId = new Map<string, SenderEntity>(senders.map((s) => [s.phoneNumberId, s]));
    const rows: Partial<MetaWebhookEventEntity>[] = [];
    const unreadable: Partial<MetaWebhookEventEntity>[] = [];
    let ignored = 0;
    // Each change alone: one Parley cannot read never loses its neighbours.
    for (const change of splitChanges(body)) {
      if (!change.ok) {
        unreadable.push({
          key: change.key,
          kind: 'unparsed',
          phoneNumberId: change.phoneNumberId,
          senderSid: byPhoneNumberId.get(change.phoneNumberId)?.sid ?? null,
          payload: change.stored,
          status: 'failed',
          lastError: change.problem.slice(0, 2000),
        });
        continue;
      }
      for (const event of change.events) {
        const sender = event.phoneNumberId
          ? byPhoneNumberId.get(event.phoneNumberId)
          : byWabaId.get(event.wabaId);
        if (!sender || !STORED_KINDS.has(event.kind)) {
          ignored++;
          this.logger.debug(
            { kind: event.kind, key: event.key },
            'Meta webhook event acknowledged and ignored',
          );
          continue;
        }
        // Leased from the start: `processSoon` runs it now, in its call's order; the poller
        // only if this replica dies first.
        rows.push({
          ...inboxRow(event, sender),
          nextAttemptAt: new Date(Date.now() + LEASE_SECONDS * 1000),
        });
      }
    }
    const stored = await this.ds.transaction(async (em) => {
      // The delivery itself first: every signed payload is kept, whatever its content.
      await em.insert(MetaWebhookDeliveryEntity, {
        rawBody: rawBody.toString('utf8'),
        signature: signature.slice(0, 200),
        unparsed: unreadable.length,
      });
      if (unreadable.length) {
        await em
          .createQueryBuilder()
          .insert()
          .into(MetaWebhookEventEntity)
          .values(unreadable as QueryDeepPartialEntity<MetaWebhookEventEntity>[])
          .orIgnore()
          .execute();
      }
      if (!rows.length) return [];
      const inserted = await em
        .createQueryBuilder()
        .insert()
        .into(MetaWebhookEventEntity)
        .values(rows as QueryDeepPartialEntity<MetaWebhookEventEntity>[])
        .orIgnore()
        .returning(['id', 'key'])
        .execute();
      return (inserted.raw as { id: string; key: string }[]).map((r) => ({
        id: String(r.id),
        key: r.key,
      }));
    });
    if (unreadable.length) {
      this.metrics.failed('unparsable', unreadable.length);
      this.logger.error(
        { unparsed: unreadable.length, problems: unreadable.map((u) => u.lastError) },
        'Meta webhook changes not understood: stored as failed (re-drive with webhooks:redrive)',
      );
    }
    const duplicates = rows.length - stored.length;
    if (duplicates) this.logger.info({ duplicates }, 'duplicate Meta webhook events dropped');
    return { stored, duplicates, ignored, unparsed: unreadable.length };
  }

  /** Meta's subscription check: is this one of the configured verify tokens? */
  async isVerifyToken(token: string, configured: string | undefined): Promise<boolean> {
    if (configured && safeEqual(token, configured)) return true;
    return this.senders.hasVerifyToken(token);
  }
}

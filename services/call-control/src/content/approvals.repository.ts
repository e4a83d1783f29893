import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type ContentApprovalChangedV1 } from '@parley/contracts';
import { type DataSource, type EntityManager } from 'typeorm';
import { type QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { MessageOutboxEntity } from '../outbox/message-outbox.entity';
import { SenderEntity } from '../senders/sender.entity';
import { type ApprovalStatus, ContentApprovalEntity } from './content-approval.entity';

/** What may change on an approval row. */
export type ApprovalPatch = Partial<
  Pick<
    ContentApprovalEntity,
    | 'status'
    | 'category'
    | 'rejectionReason'
    | 'metaTemplateId'
    | 'qualityScore'
    | 'submitAttempts'
    | 'nextAttemptAt'
  >
>;

/**
 * Content approval rows and their durable events: every change of status or category is
 * committed with its `calls.v1.content.approval-changed` event in the message outbox (when
 * the submitting sender has a `webhook.status_callback_url` to send it to).
 */
@Injectable()
export class ApprovalsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  find(contentSid: string): Promise<ContentApprovalEntity | null> {
    return this.ds.getRepository(ContentApprovalEntity).findOneBy({ contentSid });
  }

  /**
   * Commits a new request (`received`, due now) with its first event. A rejected request
   * of the content is replaced; any other existing request makes this return null.
   */
  async insert(
    row: Omit<ContentApprovalEntity, 'dateCreated' | 'dateUpdated' | 'content'>,
  ): Promise<ContentApprovalEntity | null> {
    return this.ds.transaction(async (em) => {
      const existing = await em
        .getRepository(ContentApprovalEntity)
        .createQueryBuilder('a')
        .setLock('pessimistic_write')
        .where('a.content_sid = :sid', { sid: row.contentSid })
        .getOne();
      if (existing && existing.status !== 'rejected') return null;
      const sequence = existing ? existing.statusSequence + 1 : 0;
      if (existing) await em.delete(ContentApprovalEntity, { contentSid: row.contentSid });
      await em.insert(ContentApprovalEntity, {
        ...row,
        statusSequence: sequence,
      } as QueryDeepPartialEntity<ContentApprovalEntity>);
      const saved = await em.findOneByOrFail(ContentApprovalEntity, {
        contentSid: row.contentSid,
      });
      await this.event(em, saved);
      return saved;
    });
  }

  /** Content sids whose submission is due (oldest first). */
  async due(limit: number): Promise<string[]> {
    const rows = await this.ds
      .getRepository(ContentApprovalEntity)
      .createQueryBuilder('a')
      .select('a.content_sid', 'sid')
      .where("a.status = 'received' AND a.next_attempt_at <= now()")
      .orderBy('a.next_attempt_at', 'ASC')
      .limit(limit)
      .getRawMany<{ sid: string }>();
    return rows.map((r) => r.sid);
  }

  /** Takes a due submission for `leaseMs` (one replica at a time, its attempt counted), or null. */
  async claim(contentSid: string, leaseMs: number): Promise<ContentApprovalEntity | null> {
    const result = await this.ds
      .createQueryBuilder()
      .update(ContentApprovalEntity)
      .set({
        submitAttempts: () => 'submit_attempts + 1',
        nextAttemptAt: () => `now() + interval '${Math.ceil(leaseMs)} milliseconds'`,
      })
      .where("content_sid = :sid AND status = 'received' AND next_attempt_at <= now()", {
        sid: contentSid,
      })
      .execute();
    if (!result.affected) return null;
    return this.find(contentSid);
  }

  /**
   * Applies `decide`'s patch to the locked row; a change of status or category takes the
   * next sequence and commits its event. Returns the row as it is after.
   */
  async update(
    contentSid: string,
    decide: (row: ContentApprovalEntity) => ApprovalPatch | null,
  ): Promise<ContentApprovalEntity | null> {
    return this.ds.transaction(async (em) => {
      const row = await em
        .getRepository(ContentApprovalEntity)
        .createQueryBuilder('a')
        .setLock('pessimistic_write')
        .where('a.content_sid = :sid', { sid: contentSid })
        .getOne();
      if (!row) return null;
      const patch = decide(row);
      if (!patch) return row;
      const announced =
        (patch.status !== undefined && patch.status !== row.status) ||
        (patch.category !== undefined && patch.category !== row.category);
      const next = { ...patch, ...(announced ? { statusSequence: row.statusSequence + 1 } : {}) };
      await em.update(ContentApprovalEntity, { contentSid }, next);
      const saved = await em.findOneByOrFail(ContentApprovalEntity, { contentSid });
      if (announced) await this.event(em, saved);
      return saved;
    });
  }

  /** The approvals a Meta template webhook speaks of: by Meta's id, else name + language. */
  async findForTemplate(
    wabaId: string,
    template: { id: string; name: string; language: string },
  ): Promise<ContentApprovalEntity[]> {
    return this.ds
      .getRepository(ContentApprovalEntity)
      .createQueryBuilder('a')
      .where('a.waba_id = :wabaId', { wabaId })
      .andWhere(
        '(a.meta_template_id = :id OR (a.meta_template_id IS NULL AND a.name = :name AND a.language = :language))',
        { id: template.id, name: template.name, language: template.language.replace('-', '_') },
      )
      .getMany();
  }

  private async event(em: EntityManager, row: ContentApprovalEntity): Promise<void> {
    const sender = await em.findOneBy(SenderEntity, { sid: row.senderSid });
    const url = sender?.webhookStatusCallbackUrl ?? null;
    // Only an approval someone listens to needs an event: the sender's status callback.
    if (url === null || !sender) return;
    const payload: ContentApprovalChangedV1 = {
      contentSid: row.contentSid as ContentApprovalChangedV1['contentSid'],
      accountSid: row.accountSid as ContentApprovalChangedV1['accountSid'],
      senderSid: row.senderSid as ContentApprovalChangedV1['senderSid'],
      name: row.name,
      category: row.category,
      status: row.status,
      rejectionReason: row.rejectionReason,
      sequence: row.statusSequence,
      statusCallback: { url, method: sender.webhookStatusCallbackMethod },
      occurredAt: new Date().toISOString(),
    };
    await em.insert(MessageOutboxEntity, {
      subject: 'calls.v1.content.approval-changed',
      msgId: `approval:${row.contentSid}:${row.statusSequence}`,
      payload,
    } as QueryDeepPartialEntity<MessageOutboxEntity>);
  }
}

/** Meta's template statuses (`event` of `message_template_status_update`, Graph `status`). */
export function approvalStatusFromMeta(status: string): ApprovalStatus | null {
  switch (status.toUpperCase()) {
    case 'PENDING':
    case 'IN_APPEAL':
      return 'pending';
    case 'APPROVED':
    case 'REINSTATED':
      return 'approved';
    case 'REJECTED':
      return 'rejected';
    case 'PAUSED':
      return 'paused';
    case 'DISABLED':
    case 'DELETED':
    case 'PENDING_DELETION':
    case 'ARCHIVED':
    case 'LOCKED':
      return 'disabled';
    default:
      return null;
  }
}

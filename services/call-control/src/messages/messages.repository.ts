import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  type AccountSid,
  type MessageReceivedV1,
  type MessageSid,
  type MessageStatus,
  type MessageStatusChangedV1,
  ParleyError,
  type SenderSid,
} from '@parley/contracts';
import { type DataSource, type EntityManager } from 'typeorm';
import { type QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { buildPage, newestFirst, newestFirstKey, type TwilioPage } from '../common/paging';
import { type ListMessagesCommand } from './messages.schemas';
import { accountPath } from '../common/twilio-format';
import { MessageEntity } from './message.entity';
import { MessageOutboxEntity } from '../outbox/message-outbox.entity';
import { serializeMessage } from './message.resource';

/** What a status transition changes besides the status itself. */
export type MessagePatch = Partial<
  Pick<
    MessageEntity,
    | 'errorCode'
    | 'errorMessage'
    | 'metaMessageId'
    | 'permissionState'
    | 'nextAttemptAt'
    | 'dateSent'
    | 'sendAttempts'
  >
>;

/** The durable event announcing a message's status (its StatusCallback's source). */
export function statusEvent(message: MessageEntity, occurredAt: Date): MessageStatusChangedV1 {
  return {
    messageSid: message.sid as MessageSid,
    accountSid: message.accountSid as AccountSid,
    senderSid: message.senderSid as SenderSid,
    from: message.from,
    to: message.to,
    status: message.status,
    sequence: message.statusSequence,
    errorCode: message.errorCode,
    errorMessage: message.errorMessage?.slice(0, 1000) ?? null,
    statusCallback:
      message.statusCallback === null
        ? null
        : { url: message.statusCallback, method: message.statusCallbackMethod ?? 'POST' },
    occurredAt: occurredAt.toISOString(),
  };
}

/**
 * Message rows and their outbox. Every status change takes the row's lock, moves the
 * status, and writes the event announcing it in the same transaction.
 */
@Injectable()
export class MessagesRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  private get rows() {
    return this.ds.getRepository(MessageEntity);
  }

  async get(accountSid: string, sid: string): Promise<MessageEntity> {
    const message = await this.rows.findOneBy({ sid, accountSid });
    if (!message)
      throw new ParleyError(
        20404,
        `The requested resource ${accountPath(accountSid)}/Messages/${sid}.json was not found`,
      );
    return message;
  }

  findBySid(sid: string): Promise<MessageEntity | null> {
    return this.rows.findOneBy({ sid });
  }

  findByMetaId(senderSid: string, metaMessageId: string): Promise<MessageEntity | null> {
    return this.rows.findOneBy({ senderSid, metaMessageId });
  }

  async list(accountSid: string, { page, filters }: ListMessagesCommand): Promise<TwilioPage> {
    const qb = this.rows
      .createQueryBuilder('m')
      .where('m.account_sid = :accountSid', { accountSid });
    if (filters.To !== undefined) qb.andWhere('m.to = :to', { to: filters.To });
    if (filters.From !== undefined) qb.andWhere('m.from = :from', { from: filters.From });
    const rows = await newestFirst(qb, 'm', page).getMany();
    return buildPage({
      path: `${accountPath(accountSid)}/Messages.json`,
      resourceKey: 'messages',
      filters,
      request: page,
      rows,
      keyOf: newestFirstKey,
      serialize: serializeMessage,
    });
  }

  /** When the user last wrote to the sender (opens the 24-hour window), if ever. */
  async lastInboundAt(senderSid: string, user: string): Promise<Date | null> {
    const row = await this.rows
      .createQueryBuilder('m')
      .select('MAX(m.date_sent)', 'last')
      .where("m.sender_sid = :senderSid AND m.from = :user AND m.direction = 'inbound'", {
        senderSid,
        user,
      })
      .getRawOne<{ last: Date | null }>();
    return row?.last ? new Date(row.last) : null;
  }

  /** Commits a new outbound message and its `queued` event together. */
  async insertOutbound(message: MessageEntity, now: Date): Promise<void> {
    await this.ds.transaction(async (manager) => {
      await manager
        .getRepository(MessageEntity)
        .insert(message as QueryDeepPartialEntity<MessageEntity>);
      await this.writeStatusEvent(manager, message, now);
    });
  }

  /**
   * Commits an inbound message and, when the sender has a messaging webhook, the event
   * that forwards it. False when Meta's message was stored before (a redelivery).
   */
  async insertInbound(message: MessageEntity, forward: MessageReceivedV1 | null): Promise<boolean> {
    return this.ds.transaction(async (manager) => {
      const inserted = await manager
        .createQueryBuilder()
        .insert()
        .into(MessageEntity)
        .values(message as QueryDeepPartialEntity<MessageEntity>)
        .orIgnore()
        .returning(['sid'])
        .execute();
      if (!(inserted.raw as unknown[]).length) return false;
      if (forward) {
        await manager.getRepository(MessageOutboxEntity).insert({
          subject: 'calls.v1.message.received',
          msgId: forward.messageSid,
          payload: forward,
        } as QueryDeepPartialEntity<MessageOutboxEntity>);
      }
      return true;
    });
  }

  /**
   * Locks the message, lets `decide` choose what changes (a new status and/or fields), and
   * commits the change with its status event. Returns the row as it is afterwards.
   */
  async update(
    sid: string,
    decide: (current: MessageEntity) => { status?: MessageStatus; patch?: MessagePatch } | null,
    now: Date,
  ): Promise<{ message: MessageEntity; statusChanged: boolean } | null> {
    return this.ds.transaction(async (manager) => {
      const current = await manager
        .getRepository(MessageEntity)
        .createQueryBuilder('m')
        .setLock('pessimistic_write')
        .where('m.sid = :sid', { sid })
        .getOne();
      if (!current) return null;
      const change = decide(current);
      if (!change) return { message: current, statusChanged: false };
      const next: MessageEntity = { ...current, ...(change.patch ?? {}) };
      const statusChanged = change.status !== undefined && change.status !== current.status;
      if (statusChanged && change.status) {
        next.status = change.status;
        next.statusSequence = current.statusSequence + 1;
      }
      await manager.getRepository(MessageEntity).update(
        { sid },
        {
          ...(change.patch ?? {}),
          status: next.status,
          statusSequence: next.statusSequence,
        },
      );
      if (statusChanged) await this.writeStatusEvent(manager, next, now);
      return { message: next, statusChanged };
    });
  }

  /**
   * Takes the row for one round of work (a lease: a crashed worker's row comes back when
   * it lapses). Null when it is not due or another worker has it.
   */
  async claim(sid: string, leaseMs: number): Promise<MessageEntity | null> {
    const result = await this.ds
      .createQueryBuilder()
      .update(MessageEntity)
      .set({ nextAttemptAt: () => `now() + make_interval(secs => ${leaseMs / 1000})` })
      .where('sid = :sid AND next_attempt_at IS NOT NULL AND next_attempt_at <= now()', { sid })
      .returning(['sid'])
      .execute();
    if (!(result.raw as unknown[]).length) return null;
    return this.findBySid(sid);
  }

  /** Messages with work due (sending, or telling consent the outcome), oldest first. */
  async due(limit: number): Promise<string[]> {
    const rows = await this.rows
      .createQueryBuilder('m')
      .select('m.sid', 'sid')
      .where('m.next_attempt_at IS NOT NULL AND m.next_attempt_at <= now()')
      .orderBy('m.next_attempt_at', 'ASC')
      .limit(limit)
      .getRawMany<{ sid: string }>();
    return rows.map((r) => r.sid);
  }

  private async writeStatusEvent(
    manager: EntityManager,
    message: MessageEntity,
    now: Date,
  ): Promise<void> {
    // Only a message someone listens to needs an event: the status callback's source.
    if (message.statusCallback === null) return;
    await manager.getRepository(MessageOutboxEntity).insert({
      subject: 'calls.v1.message.status-changed',
      msgId: `${message.sid}:${message.statusSequence}`,
      payload: statusEvent(message, now),
    } as QueryDeepPartialEntity<MessageOutboxEntity>);
  }
}

import { type DataSource } from 'typeorm';
import { type QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { MetaWebhookEventEntity } from './meta-webhook-event.entity';
import { parseStoredChange } from './webhook-changes';
import { isStoredKind } from './webhook-inbox.service';

export interface RedriveReport {
  /** Events whose processing had been given up on, queued again. */
  requeued: number;
  /** Unparsable changes that parse now: their events were queued. */
  reparsed: number;
  /** Unparsable changes that still do not parse (they stay failed). */
  stillUnparsable: number;
}

/**
 * Operator commands on failed Meta webhook inbox rows, straight against the database (the
 * running service's retry poller processes what is queued again).
 */
export class WebhookInboxAdmin {
  constructor(private readonly ds: DataSource) {}

  listFailed(): Promise<MetaWebhookEventEntity[]> {
    return this.ds.getRepository(MetaWebhookEventEntity).find({
      where: { status: 'failed' },
      order: { id: 'ASC' },
      take: 1000,
    });
  }

  async redrive(ids: string[] | 'all'): Promise<RedriveReport> {
    const repo = this.ds.getRepository(MetaWebhookEventEntity);
    const requeue = repo
      .createQueryBuilder()
      .update()
      .set({ status: 'pending', attempts: 0, nextAttemptAt: () => 'now()', lastError: null })
      .where("status = 'failed' AND kind <> 'unparsed'");
    if (ids !== 'all') requeue.andWhere('id IN (:...ids)', { ids });
    const requeued = (await requeue.execute()).affected ?? 0;

    const unparsed = await repo
      .createQueryBuilder('w')
      .where("w.status = 'failed' AND w.kind = 'unparsed'")
      .andWhere(ids === 'all' ? 'true' : 'w.id IN (:...ids)', ids === 'all' ? {} : { ids })
      .getMany();
    let reparsed = 0;
    let stillUnparsable = 0;
    for (const row of unparsed) {
      const change = parseStoredChange(
        row.payload as { object: unknown; entryId: unknown; change: unknown },
      );
      if (!change.ok) {
        stillUnparsable++;
        await repo.update({ id: row.id }, { lastError: change.problem.slice(0, 2000) });
        continue;
      }
      // Only the events of the sender that signed the delivery.
      const events = change.events.filter(
        (e) =>
          isStoredKind(e.kind) && row.senderSid !== null && e.phoneNumberId === row.phoneNumberId,
      );
      await this.ds.transaction(async (em) => {
        if (events.length) {
          await em
            .createQueryBuilder()
            .insert()
            .into(MetaWebhookEventEntity)
            .values(
              events.map((e) => ({
                key: e.key.slice(0, 512),
                kind: e.kind,
                phoneNumberId: e.phoneNumberId,
                senderSid: row.senderSid,
                payload: e as unknown as Record<string, unknown>,
              })) as QueryDeepPartialEntity<MetaWebhookEventEntity>[],
            )
            .orIgnore()
            .execute();
        }
        await em.update(
          MetaWebhookEventEntity,
          { id: row.id },
          { status: 'processed', processedAt: new Date(), lastError: null },
        );
      });
      reparsed++;
    }
    return { requeued, reparsed, stillUnparsable };
  }
}

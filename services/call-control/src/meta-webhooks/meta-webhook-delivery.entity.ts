import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Every signed Meta webhook delivery, as received (after its signature was verified and
 * before anything was parsed): the evidence from which any event can be recovered, kept
 * as long as the inbox rows (7 days).
 */
@Entity({ name: 'meta_webhook_deliveries' })
@Index('meta_webhook_deliveries_received_idx', ['receivedAt'])
export class MetaWebhookDeliveryEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: string;

  /** The body exactly as signed (UTF-8). */
  @Column({ name: 'raw_body', type: 'text' })
  rawBody!: string;

  @Column({ type: 'text' })
  signature!: string;

  /** Changes of the delivery that could not be parsed (each also an inbox row). */
  @Column({ type: 'integer', default: 0 })
  unparsed!: number;

  @Column({ name: 'received_at', type: 'timestamptz', default: () => 'now()' })
  receivedAt!: Date;
}

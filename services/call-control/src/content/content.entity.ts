import { SID_PREFIXES } from '@parley/contracts';
import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  UpdateDateColumn,
} from 'typeorm';
import { AccountEntity } from '../accounts/account.entity';
import { sidCheck } from '../database/sql-checks';
import { type ContentTypes } from './content-rules';

/** A Content template (Twilio's Content API): what a message says, per content type. */
@Entity({ name: 'contents' })
@Check('contents_sid_check', sidCheck('sid', SID_PREFIXES.content))
@Index('contents_account_list_idx', ['accountSid', 'dateCreated', 'sid'])
export class ContentEntity {
  @PrimaryColumn({ type: 'char', length: 34 })
  sid!: string;

  @Column({ name: 'account_sid', type: 'char', length: 34 })
  accountSid!: string;

  @ManyToOne(() => AccountEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'account_sid' })
  account?: AccountEntity;

  @Column({ name: 'friendly_name', type: 'varchar', length: 256, nullable: true })
  friendlyName!: string | null;

  @Column({ type: 'varchar', length: 16 })
  language!: string;

  /** Placeholder number -> sample value (`{"1": "name"}`). */
  @Column({ type: 'jsonb' })
  variables!: Record<string, string>;

  /** As validated and normalized by the content rules (Twilio's `types` object). */
  @Column({ type: 'jsonb' })
  types!: ContentTypes;

  @CreateDateColumn({ name: 'date_created', type: 'timestamptz', precision: 3 })
  dateCreated!: Date;

  @UpdateDateColumn({ name: 'date_updated', type: 'timestamptz' })
  dateUpdated!: Date;
}

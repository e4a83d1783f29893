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
import { sidCheck } from '../database/sql-checks';
import { AccountEntity } from '../accounts/account.entity';

/** An API key (`SK...`): a second credential of an account, revocable on its own. */
@Entity({ name: 'api_keys' })
@Check('api_keys_sid_check', sidCheck('sid', SID_PREFIXES.apiKey))
@Index('api_keys_account_idx', ['accountSid'])
export class ApiKeyEntity {
  @PrimaryColumn({ type: 'char', length: 34 })
  sid!: string;

  @Column({ name: 'account_sid', type: 'char', length: 34 })
  accountSid!: string;

  @ManyToOne(() => AccountEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'account_sid' })
  account?: AccountEntity;

  @Column({ name: 'friendly_name', type: 'varchar', length: 64, default: '' })
  friendlyName!: string;

  /** scrypt hash of the secret; the secret itself is shown once, at creation. */
  @Column({ name: 'secret_hash', type: 'varchar', length: 255 })
  secretHash!: string;

  @CreateDateColumn({ name: 'date_created', type: 'timestamptz' })
  dateCreated!: Date;

  @UpdateDateColumn({ name: 'date_updated', type: 'timestamptz' })
  dateUpdated!: Date;
}

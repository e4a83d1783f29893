import { SID_PREFIXES } from '@parley/contracts';
import { Check, Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { oneOfCheck, sidCheck } from '../database/sql-checks';

export const ACCOUNT_STATUSES = ['active', 'suspended', 'closed'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

/** A tenant: every resource belongs to exactly one account. */
@Entity({ name: 'accounts' })
@Check('accounts_status_check', oneOfCheck('status', ACCOUNT_STATUSES))
@Check('accounts_sid_check', sidCheck('sid', SID_PREFIXES.account))
export class AccountEntity {
  @PrimaryColumn({ type: 'char', length: 34 })
  sid!: string;

  @Column({ name: 'friendly_name', type: 'varchar', length: 64 })
  friendlyName!: string;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status!: AccountStatus;

  /**
   * The auth token, sealed with the secrets key (AES-256-GCM). It must be recoverable:
   * X-Twilio-Signature on webhooks is an HMAC keyed by it.
   */
  @Column({ name: 'auth_token_sealed', type: 'text' })
  authTokenSealed!: string;

  @CreateDateColumn({ name: 'date_created', type: 'timestamptz' })
  dateCreated!: Date;

  @UpdateDateColumn({ name: 'date_updated', type: 'timestamptz' })
  dateUpdated!: Date;
}

import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  Unique,
  UpdateDateColumn,
} from 'typeorm';

export const PERMISSION_STATUSES = ['granted', 'denied', 'revoked', 'expired'] as const;
export type PermissionStatus = (typeof PERMISSION_STATUSES)[number];

/**
 * The current call permission a WhatsApp user gave a business number: temporary (7 days)
 * or permanent, until it expires or is revoked.
 */
@Entity({ name: 'call_permissions' })
@Unique('call_permissions_number_user_key', ['businessPhoneNumberId', 'userWaId'])
@Check('call_permissions_status_check', `"status" IN ('granted', 'denied', 'revoked', 'expired')`)
export class CallPermissionEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'account_sid', type: 'char', length: 34 })
  accountSid!: string;

  @Column({ name: 'business_phone_number_id', type: 'varchar', length: 32 })
  businessPhoneNumberId!: string;

  @Column({ name: 'user_wa_id', type: 'varchar', length: 20 })
  userWaId!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: PermissionStatus;

  @Column({ name: 'is_permanent', type: 'boolean', default: false })
  isPermanent!: boolean;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

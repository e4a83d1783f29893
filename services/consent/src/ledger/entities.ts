import { type AccountSid, type CallSid } from '@parley/contracts';
import {
  Check,
  Column,
  type PrimaryColumnOptions,
  Entity,
  Index,
  PrimaryColumn,
  PrimaryGeneratedColumn,
} from 'typeorm';
import {
  PERMISSION_KINDS,
  type PermissionKind,
  type PermissionSource,
} from '../rules/consent-rules';

/** `whatsapp:+E.164` or `whatsapp:<BSUID>` (up to 2 + 1 + 4 + 128 characters after the prefix). */
const ADDRESS = { type: 'varchar', length: 160 } as const;

function oneOf(column: string, values: readonly string[]): string {
  return `"${column}" IN (${values.map((v) => `'${v}'`).join(', ')})`;
}

type PairKey = 'accountSid' | 'business' | 'user';

/**
 * The columns naming the pair a ledger row is about: the account, its business number and
 * the WhatsApp user. Each table keys on a different part of it, so the base class is made
 * per table with the columns that belong to its primary key.
 */
function pairColumns(primary: readonly PairKey[]) {
  const column = (key: PairKey, options: PrimaryColumnOptions): PropertyDecorator =>
    primary.includes(key) ? PrimaryColumn(options) : Column(options);
  abstract class PairColumns {
    @column('accountSid', { name: 'account_sid', type: 'char', length: 34 })
    accountSid!: AccountSid;

    /** The business number (`whatsapp:+E.164`): permissions belong to a number at Meta. */
    @column('business', { name: 'business', ...ADDRESS })
    business!: string;

    @column('user', { name: 'user_address', ...ADDRESS })
    user!: string;
  }
  return PairColumns;
}

/**
 * A reserved slot (a call attempt or a permission request): its state, when it was
 * reserved, and the rule, error code and reason that settled or refused it.
 */
function reservationColumns<S extends string>(primary: readonly PairKey[]) {
  abstract class ReservationColumns extends pairColumns(primary) {
    @Column({ type: 'varchar', length: 16 })
    state!: S;

    @Column({ name: 'reserved_at', type: 'timestamptz' })
    reservedAt!: Date;

    @Column({ type: 'varchar', length: 32, nullable: true })
    rule!: string | null;

    @Column({ name: 'error_code', type: 'integer', nullable: true })
    errorCode!: number | null;

    @Column({ type: 'text', nullable: true })
    reason!: string | null;
  }
  return ReservationColumns;
}

/**
 * The current state of one (business sender, WhatsApp user) pair of an account: the
 * permission and the consecutive missed calls. Every change is made under this row's lock
 * and recorded in `ledger_entries` in the same transaction.
 */
@Entity({ name: 'permission_states' })
@Check('permission_states_permission_check', oneOf('permission', PERMISSION_KINDS))
@Check('permission_states_missed_check', `"consecutive_missed" >= 0`)
export class PermissionStateEntity extends pairColumns(['accountSid', 'business', 'user']) {
  @Column({ type: 'varchar', length: 16, default: 'none' })
  permission!: PermissionKind;

  @Column({ type: 'varchar', length: 16, nullable: true })
  source!: PermissionSource | null;

  @Column({ name: 'granted_at', type: 'timestamptz', nullable: true })
  grantedAt!: Date | null;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  @Column({ name: 'consecutive_missed', type: 'integer', default: 0 })
  consecutiveMissed!: number;

  @Column({ type: 'boolean', default: false })
  reprompt!: boolean;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

export const LEDGER_KINDS = [
  'request.reserved',
  'request.refused',
  'request.sent',
  'request.failed',
  'reply.accepted',
  'reply.rejected',
  'call.reserved',
  'call.refused',
  'call.connected',
  'call.missed',
  'call.released',
  'call.user-initiated',
  'permission.callback-granted',
  'permission.reprompt',
  'permission.revoked',
] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];

/**
 * The append-only history of a pair: every request, reply, call attempt and outcome, and
 * what the rules made of them. `dedup_key` makes applying an event twice impossible.
 */
@Entity({ name: 'ledger_entries' })
@Check('ledger_entries_kind_check', oneOf('kind', LEDGER_KINDS))
@Index('ledger_entries_pair_idx', ['accountSid', 'business', 'user', 'id'])
@Index('ledger_entries_dedup_key', ['dedupKey'], { unique: true })
export class LedgerEntryEntity extends pairColumns([]) {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ type: 'varchar', length: 32 })
  kind!: LedgerKind;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;

  @Column({ name: 'call_sid', type: 'char', length: 34, nullable: true })
  callSid!: CallSid | null;

  @Column({ name: 'request_ref', type: 'varchar', length: 64, nullable: true })
  requestRef!: string | null;

  /** The rule that decided or changed the state, when one did. */
  @Column({ type: 'varchar', length: 32, nullable: true })
  rule!: string | null;

  @Column({ name: 'dedup_key', type: 'varchar', length: 200, nullable: true })
  dedupKey!: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  detail!: Record<string, unknown>;
}

export const ATTEMPT_STATES = [
  'reserved',
  'placed',
  'connected',
  'missed',
  'released',
  'refused',
] as const;
export type AttemptState = (typeof ATTEMPT_STATES)[number];

/**
 * A business-initiated call, from its permission check on: `reserved` holds a call slot
 * until the call's first status event (`placed`); `connected` counts against the 24 h
 * limit; `missed` and `released` give the slot back; `refused` remembers the refusal.
 */
@Entity({ name: 'call_attempts' })
@Check('call_attempts_state_check', oneOf('state', ATTEMPT_STATES))
@Index('call_attempts_pair_idx', ['accountSid', 'business', 'user', 'state'])
export class CallAttemptEntity extends reservationColumns<AttemptState>([]) {
  @PrimaryColumn({ name: 'call_sid', type: 'char', length: 34 })
  callSid!: CallSid;

  /** A `reserved` slot no status event confirmed is free again after this. */
  @Column({ name: 'hold_until', type: 'timestamptz', nullable: true })
  holdUntil!: Date | null;

  @Column({ name: 'connected_at', type: 'timestamptz', nullable: true })
  connectedAt!: Date | null;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt!: Date | null;
}

export const REQUEST_STATES = ['reserved', 'sent', 'failed', 'refused'] as const;
export type RequestState = (typeof REQUEST_STATES)[number];

/**
 * A call-permission request message, reserved before it is sent. `reserved` and `sent`
 * count against the request limits (an unsettled reservation may have reached Meta: the
 * stricter reading); `failed` gives the slot back.
 */
@Entity({ name: 'permission_requests' })
@Check('permission_requests_state_check', oneOf('state', REQUEST_STATES))
@Index('permission_requests_pair_idx', ['accountSid', 'business', 'user', 'reservedAt'])
export class PermissionRequestEntity extends reservationColumns<RequestState>(['accountSid']) {
  @PrimaryColumn({ name: 'request_ref', type: 'varchar', length: 64 })
  requestRef!: string;

  @Column({ name: 'settled_at', type: 'timestamptz', nullable: true })
  settledAt!: Date | null;
}

export const LEDGER_ENTITIES = [
  PermissionStateEntity,
  LedgerEntryEntity,
  CallAttemptEntity,
  PermissionRequestEntity,
];

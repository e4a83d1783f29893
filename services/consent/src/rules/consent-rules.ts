import { type MetaPermissionOpinionV1 } from '@parley/contracts';
import { RULE_TABLE, type RuleName } from './rule-table';
import { sanctionedMatch, type SanctionList } from './sanctions';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** The values of the rules (from the environment; WhatsApp's by default). */
export interface RuleSettings {
  permissionRequestsPer24h: number;
  permissionRequestsPer7d: number;
  temporaryGrantMs: number;
  connectedCallsPer24h: number;
  missedCallsBeforeReprompt: number;
  missedCallsBeforeRevoke: number;
  sanctions: SanctionList;
}

/** What the user last said (or what happened to it). `none`: never asked or answered. */
export const PERMISSION_KINDS = ['none', 'temporary', 'permanent', 'rejected', 'revoked'] as const;
export type PermissionKind = (typeof PERMISSION_KINDS)[number];

/**
 * How the permission came to be: the user's reply (`user_action`, `automatic` as Meta says),
 * a user-initiated call with callback permission on (`callback`), or revoked after missed
 * calls (`missed-calls`).
 */
export type PermissionSource = 'user_action' | 'automatic' | 'callback' | 'missed-calls';

/** The current state of one (business sender, user) pair. */
export interface PairState {
  permission: PermissionKind;
  source: PermissionSource | null;
  grantedAt: Date | null;
  /** Temporary grants only. */
  expiresAt: Date | null;
  consecutiveMissed: number;
  /** Missed calls reached the re-prompt count: WhatsApp asks the user again. */
  reprompt: boolean;
}

export const EMPTY_PAIR: PairState = {
  permission: 'none',
  source: null,
  grantedAt: null,
  expiresAt: null,
  consecutiveMissed: 0,
  reprompt: false,
};

/** `expired` is a temporary grant past its expiry: computed, never stored. */
export type EffectivePermission = PermissionKind | 'expired';

export function effectivePermission(pair: PairState, now: Date): EffectivePermission {
  if (pair.permission === 'temporary' && (!pair.expiresAt || pair.expiresAt <= now))
    return 'expired';
  return pair.permission;
}

export interface Decision {
  allowed: boolean;
  /** The rule that refused, or null when allowed. */
  rule: RuleName | null;
  errorCode: number | null;
  /** `<rule>: <why>`, or null when allowed. */
  reason: string | null;
}

export const ALLOWED: Decision = { allowed: true, rule: null, errorCode: null, reason: null };

export function refuse(rule: RuleName, why: string): Decision {
  return { allowed: false, rule, errorCode: RULE_TABLE[rule].code, reason: `${rule}: ${why}` };
}

export interface Parties {
  business: string;
  user: string;
}

function sanctioned(parties: Parties, settings: RuleSettings): Decision | null {
  for (const [who, address] of [
    ['user', parties.user],
    ['business', parties.business],
  ] as const) {
    const match = sanctionedMatch(address, settings.sanctions);
    if (match)
      return refuse(
        'sanctioned-country',
        `WhatsApp calling is not available for the ${who} ${address} (sanctioned: ${match})`,
      );
  }
  return null;
}

/** May the business start a call to the user now? `used`: calls connected or in flight in 24 h. */
export function decideCall(
  settings: RuleSettings,
  now: Date,
  parties: Parties,
  pair: PairState,
  used: number,
): Decision {
  const banned = sanctioned(parties, settings);
  if (banned) return banned;
  const permission = effectivePermission(pair, now);
  switch (permission) {
    case 'none':
      return refuse('permission-required', `${parties.user} has not granted call permission`);
    case 'rejected':
      return refuse('permission-rejected', `${parties.user} declined the call permission request`);
    case 'revoked':
      return pair.source === 'missed-calls'
        ? refuse(
            'missed-calls-revoke',
            `the permission of ${parties.user} was revoked after ${settings.missedCallsBeforeRevoke} consecutive missed calls`,
          )
        : refuse('permission-revoked', `${parties.user} revoked the call permission`);
    case 'expired':
      return refuse(
        'permission-expired',
        `the temporary permission of ${parties.user} expired at ${pair.expiresAt?.toISOString() ?? 'an unknown time'}`,
      );
    case 'temporary':
    case 'permanent':
      break;
  }
  if (used >= settings.connectedCallsPer24h)
    return refuse(
      'connected-calls-24h',
      `${used} calls to ${parties.user} connected or in flight in the last 24 h (limit ${settings.connectedCallsPer24h})`,
    );
  return ALLOWED;
}

/** May the business send the user a permission request now? Counts sent or pending requests. */
export function decideRequest(
  settings: RuleSettings,
  parties: Parties,
  used: { last24h: number; last7d: number },
): Decision {
  const banned = sanctioned(parties, settings);
  if (banned) return banned;
  if (used.last24h >= settings.permissionRequestsPer24h)
    return refuse(
      'permission-requests-24h',
      `${used.last24h} permission requests sent to ${parties.user} in the last 24 h (limit ${settings.permissionRequestsPer24h})`,
    );
  if (used.last7d >= settings.permissionRequestsPer7d)
    return refuse(
      'permission-requests-7d',
      `${used.last7d} permission requests sent to ${parties.user} in the last 7 days (limit ${settings.permissionRequestsPer7d})`,
    );
  return ALLOWED;
}

/** The user answered a permission request. A new approval replaces the old grant. */
export function applyReply(
  settings: RuleSettings,
  pair: PairState,
  reply: {
    accept: boolean;
    permanent: boolean;
    /** Meta's expiry of a temporary grant, when it gave one. */
    expiresAt: Date | null;
    source: 'user_action' | 'automatic';
    at: Date;
  },
): PairState {
  if (!reply.accept) {
    return {
      ...pair,
      permission: 'rejected',
      source: reply.source,
      grantedAt: null,
      expiresAt: null,
      reprompt: false,
    };
  }
  return grant(settings, pair, reply.permanent, reply.source, reply.at, reply.expiresAt);
}

function grant(
  settings: RuleSettings,
  pair: PairState,
  permanent: boolean,
  source: PermissionSource,
  at: Date,
  metaExpiry: Date | null,
): PairState {
  const ours = new Date(at.getTime() + settings.temporaryGrantMs);
  // Meta's expiry when earlier than ours: the stricter of the two.
  const expiresAt = metaExpiry && metaExpiry < ours ? metaExpiry : ours;
  return {
    permission: permanent ? 'permanent' : 'temporary',
    source,
    grantedAt: at,
    expiresAt: permanent ? null : expiresAt,
    consecutiveMissed: 0,
    reprompt: false,
  };
}

/**
 * The user called the business. With the sender's callback permission on, that grants a
 * temporary permission (a permanent one stays permanent).
 */
export function applyUserCall(
  settings: RuleSettings,
  pair: PairState,
  call: { callbackPermission: boolean; at: Date },
): { pair: PairState; granted: boolean } {
  if (!call.callbackPermission) return { pair, granted: false };
  if (effectivePermission(pair, call.at) === 'permanent') return { pair, granted: false };
  return { pair: grant(settings, pair, false, 'callback', call.at, null), granted: true };
}

/** A business-initiated call connected: the missed-call count starts again. */
export function applyConnected(pair: PairState): PairState {
  return { ...pair, consecutiveMissed: 0, reprompt: false };
}

/** A business-initiated call reached the user's phone and was not answered. */
export function applyMissed(
  settings: RuleSettings,
  pair: PairState,
  now: Date,
): { pair: PairState; reprompted: boolean; revoked: boolean } {
  const missed = pair.consecutiveMissed + 1;
  const live = ['temporary', 'permanent'].includes(effectivePermission(pair, now));
  if (missed >= settings.missedCallsBeforeRevoke && live) {
    return {
      pair: {
        ...pair,
        permission: 'revoked',
        source: 'missed-calls',
        expiresAt: null,
        consecutiveMissed: 0,
        reprompt: false,
      },
      reprompted: false,
      revoked: true,
    };
  }
  const reprompted = missed === settings.missedCallsBeforeReprompt;
  return {
    pair: {
      ...pair,
      consecutiveMissed: missed,
      reprompt: pair.reprompt || missed >= settings.missedCallsBeforeReprompt,
    },
    reprompted,
    revoked: false,
  };
}

/** Meta's `permission.status` values that mean the user can be called. */
const META_GRANTED = new Set(['temporary', 'permanent', 'granted']);

/**
 * Parley's answer against Meta's (`GET call_permissions`): the stricter wins. A
 * disagreement is reported so it can be logged and counted.
 */
export function withMetaOpinion(
  ours: Decision,
  meta: MetaPermissionOpinionV1 | undefined,
): { decision: Decision; disagreement: 'meta-refuses' | 'meta-allows' | null } {
  if (!meta) return { decision: ours, disagreement: null };
  const metaAllows = meta.canStartCall && META_GRANTED.has(meta.status.toLowerCase());
  if (ours.allowed && !metaAllows) {
    const limit = META_GRANTED.has(meta.status.toLowerCase());
    return {
      decision: {
        ...refuse(
          'meta-second-opinion',
          `Meta refuses the call (permission ${meta.status}${limit ? ', start_call not allowed' : ''}) although Parley's ledger allows it`,
        ),
        // Meta has the permission but refuses to start a call: its limit, not ours.
        ...(limit ? { errorCode: 37006 } : {}),
      },
      disagreement: 'meta-refuses',
    };
  }
  if (!ours.allowed && metaAllows) return { decision: ours, disagreement: 'meta-allows' };
  return { decision: ours, disagreement: null };
}

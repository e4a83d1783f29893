import type { PermissionStatus } from './types';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export interface LedgerLimits {
  /** Call-permission requests per user per business in any 24 h (Meta: 1). */
  permissionRequestsPer24h: number;
  /** ... and in any 7 days (Meta: 2). */
  permissionRequestsPer7d: number;
  /** Life of a temporary permission (Meta: 7 days). */
  temporaryPermissionMs: number;
  /** Connected business-initiated calls per user in 24 h (Twilio's docs: 5). */
  connectedCallsPer24h: number;
  /** Consecutive unanswered business-initiated calls after which the user is re-prompted. */
  missedCallsBeforeReprompt: number;
  /** ... and after which the permission is revoked. */
  missedCallsBeforeRevoke: number;
}

export const DEFAULT_LEDGER_LIMITS: LedgerLimits = {
  permissionRequestsPer24h: 1,
  permissionRequestsPer7d: 2,
  temporaryPermissionMs: 7 * DAY_MS,
  connectedCallsPer24h: 5,
  missedCallsBeforeReprompt: 2,
  missedCallsBeforeRevoke: 4,
};

export type PermissionSource = 'user_action' | 'automatic';

interface PermissionEntry {
  kind: 'temporary' | 'permanent' | 'rejected' | 'revoked';
  at: number;
  expiresAt: number | null;
  source: PermissionSource;
}

interface PairState {
  permission: PermissionEntry | null;
  requests: number[];
  connectedCalls: number[];
  consecutiveMissed: number;
}

export interface LimitUsage {
  /** ISO 8601 duration, as Meta writes it. */
  timePeriod: 'PT24H' | 'P7D';
  maxAllowed: number;
  currentUsage: number;
  /** When the oldest counted use leaves the window (only when the limit is reached). */
  limitExpiresAt: number | null;
}

export interface PermissionView {
  status: PermissionStatus;
  expiresAt: number | null;
  /** The last answer the user gave, even when it left no permission (rejected, revoked). */
  lastResponse: PermissionEntry['kind'] | null;
  consecutiveMissedCalls: number;
}

export type CallCheck =
  | { ok: true }
  | { ok: false; reason: 'no_permission' }
  | { ok: false; reason: 'connected_calls_limit'; usage: LimitUsage };

/**
 * Meta's call-permission rules for one simulated Cloud API: who may be called, how often a
 * permission may be asked for, and what consecutive missed calls do. Pure: time comes from
 * the injected clock only, so tests can cross days instantly.
 */
export class PermissionLedger {
  private readonly pairs = new Map<string, PairState>();

  constructor(
    private readonly now: () => number,
    readonly limits: LedgerLimits = DEFAULT_LEDGER_LIMITS,
  ) {}

  permission(phoneNumberId: string, waId: string): PermissionView {
    const state = this.pairs.get(key(phoneNumberId, waId));
    const entry = state?.permission ?? null;
    const live = entry ? this.isLive(entry) : false;
    return {
      status:
        live && entry ? (entry.kind === 'permanent' ? 'permanent' : 'temporary') : 'no_permission',
      expiresAt: live && entry ? entry.expiresAt : null,
      lastResponse: entry?.kind ?? null,
      consecutiveMissedCalls: state?.consecutiveMissed ?? 0,
    };
  }

  /** The user accepted (a request, a template button, or automatically by calling in). */
  grant(
    phoneNumberId: string,
    waId: string,
    options: { permanent: boolean; source: PermissionSource },
  ): PermissionView {
    const state = this.pair(phoneNumberId, waId);
    const at = this.now();
    state.permission = {
      kind: options.permanent ? 'permanent' : 'temporary',
      at,
      expiresAt: options.permanent ? null : at + this.limits.temporaryPermissionMs,
      source: options.source,
    };
    state.consecutiveMissed = 0;
    return this.permission(phoneNumberId, waId);
  }

  /** The user declined a request: any earlier permission is gone too. */
  reject(phoneNumberId: string, waId: string): void {
    this.pair(phoneNumberId, waId).permission = {
      kind: 'rejected',
      at: this.now(),
      expiresAt: null,
      source: 'user_action',
    };
  }

  /** The user withdrew the permission in WhatsApp, or Meta did after missed calls. */
  revoke(phoneNumberId: string, waId: string, source: PermissionSource): void {
    this.pair(phoneNumberId, waId).permission = {
      kind: 'revoked',
      at: this.now(),
      expiresAt: null,
      source,
    };
  }

  requestUsage(phoneNumberId: string, waId: string): LimitUsage[] {
    const requests = this.pairs.get(key(phoneNumberId, waId))?.requests ?? [];
    return [
      this.usage(requests, 'PT24H', DAY_MS, this.limits.permissionRequestsPer24h),
      this.usage(requests, 'P7D', 7 * DAY_MS, this.limits.permissionRequestsPer7d),
    ];
  }

  canRequestPermission(phoneNumberId: string, waId: string): boolean {
    return this.requestUsage(phoneNumberId, waId).every((u) => u.currentUsage < u.maxAllowed);
  }

  recordPermissionRequest(phoneNumberId: string, waId: string): void {
    this.pair(phoneNumberId, waId).requests.push(this.now());
  }

  callUsage(phoneNumberId: string, waId: string): LimitUsage {
    const calls = this.pairs.get(key(phoneNumberId, waId))?.connectedCalls ?? [];
    return this.usage(calls, 'PT24H', DAY_MS, this.limits.connectedCallsPer24h);
  }

  /** May the business start a call to this user now? */
  canStartCall(phoneNumberId: string, waId: string): CallCheck {
    if (this.permission(phoneNumberId, waId).status === 'no_permission')
      return { ok: false, reason: 'no_permission' };
    const usage = this.callUsage(phoneNumberId, waId);
    if (usage.currentUsage >= usage.maxAllowed)
      return { ok: false, reason: 'connected_calls_limit', usage };
    return { ok: true };
  }

  recordConnectedCall(phoneNumberId: string, waId: string): void {
    const state = this.pair(phoneNumberId, waId);
    state.connectedCalls.push(this.now());
    state.consecutiveMissed = 0;
  }

  /**
   * A business-initiated call the user did not pick up. Returns what Meta does about it:
   * re-prompt the user at the 2nd in a row, revoke the permission at the 4th.
   */
  recordMissedCall(phoneNumberId: string, waId: string): { reprompt: boolean; revoked: boolean } {
    const state = this.pair(phoneNumberId, waId);
    state.consecutiveMissed += 1;
    const reprompt = state.consecutiveMissed === this.limits.missedCallsBeforeReprompt;
    let revoked = false;
    if (
      state.consecutiveMissed >= this.limits.missedCallsBeforeRevoke &&
      state.permission &&
      this.isLive(state.permission)
    ) {
      state.permission = { kind: 'revoked', at: this.now(), expiresAt: null, source: 'automatic' };
      state.consecutiveMissed = 0;
      revoked = true;
    }
    return { reprompt, revoked };
  }

  reset(): void {
    this.pairs.clear();
  }

  private isLive(entry: PermissionEntry): boolean {
    if (entry.kind === 'permanent') return true;
    if (entry.kind === 'temporary') return entry.expiresAt !== null && entry.expiresAt > this.now();
    return false;
  }

  private usage(
    times: number[],
    timePeriod: LimitUsage['timePeriod'],
    windowMs: number,
    maxAllowed: number,
  ): LimitUsage {
    const since = this.now() - windowMs;
    const inWindow = times.filter((t) => t > since);
    const oldest = inWindow.length > 0 ? Math.min(...inWindow) : null;
    return {
      timePeriod,
      maxAllowed,
      currentUsage: inWindow.length,
      limitExpiresAt: inWindow.length >= maxAllowed && oldest !== null ? oldest + windowMs : null,
    };
  }

  private pair(phoneNumberId: string, waId: string): PairState {
    const k = key(phoneNumberId, waId);
    let state = this.pairs.get(k);
    if (!state) {
      state = { permission: null, requests: [], connectedCalls: [], consecutiveMissed: 0 };
      this.pairs.set(k, state);
    }
    return state;
  }
}

function key(phoneNumberId: string, waId: string): string {
  return `${phoneNumberId}:${waId}`;
}

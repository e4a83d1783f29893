import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { SeedConfig } from '../config/seed';
import type { ResolvedSettings } from '../config/options';
import type { Logger } from '../logging/logger';
import { WebhookDispatcher, type VerifyResult } from '../webhooks/dispatcher';
import { CallEngine } from './call-engine';
import { callHoursProblems } from './call-hours';
import { SimClock } from './clock';
import type { SimContext } from './context';
import * as ids from './ids';
import {
  BehaviourPatch,
  CreateBusinessInput,
  CreateUserInput,
  UpdateBusinessInput,
  type CallingSettingsPatch,
} from './inputs';
import { Messaging } from './messaging';
import { PermissionLedger, type LimitUsage, type PermissionView } from './permission-ledger';
import { SimError } from './sim-error';
import { MessageTemplates } from './templates';
import {
  DEFAULT_BEHAVIOUR,
  type Behaviour,
  type BusinessRecord,
  type CallingSettings,
  type UserRecord,
} from './types';

export interface GraphRequestRecord {
  id: string;
  at: string;
  method: string;
  path: string;
  version: string | null;
  phoneNumberId: string | null;
  edge: string | null;
  /** Query parameters, access_token left out. */
  query: Record<string, string>;
  body: unknown;
  status: number;
  response: unknown;
  /** Graph error code when the request failed. */
  errorCode: number | null;
}

export interface GraphRequestFilter {
  phoneNumberId?: string;
  method?: string;
  edge?: string;
  action?: string;
}

export interface PermissionSnapshot {
  phoneNumberId: string;
  waId: string;
  permission: PermissionView;
  requests: LimitUsage[];
  connectedCalls: LimitUsage;
}

const DEFAULT_CALLING: CallingSettings = {
  status: 'ENABLED',
  call_icon_visibility: 'DEFAULT',
  callback_permission_status: 'DISABLED',
  call_hours: null,
  sip: { status: 'DISABLED', servers: [] },
};

function parse<S extends z.ZodTypeAny>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new SimError(
      'invalid_request',
      result.error.issues
        .map((i) => `${i.path.map(String).join('.') || 'body'}: ${i.message}`)
        .join('; '),
    );
  }
  return result.data as z.output<S>;
}

export function applyCallingPatch(
  current: CallingSettings,
  patch: CallingSettingsPatch,
): CallingSettings {
  const next: CallingSettings = {
    ...current,
    ...patch,
    call_hours: patch.call_hours === undefined ? current.call_hours : patch.call_hours,
    sip: patch.sip ?? current.sip,
  };
  if (next.call_hours) {
    const problems = callHoursProblems(next.call_hours);
    if (problems.length > 0)
      throw new SimError('invalid_request', `call_hours: ${problems.join('; ')}`);
  }
  return next;
}

/**
 * The whole simulated WhatsApp Cloud API: business numbers, users, Meta's ledgers, calls,
 * messages, webhooks and the Graph request log. Transport-free: the HTTP layer calls it.
 */
export class MetaSimulator {
  readonly clock: SimClock;
  readonly ledger: PermissionLedger;
  readonly webhooks: WebhookDispatcher;
  readonly messaging: Messaging;
  readonly calls: CallEngine;
  readonly templates: MessageTemplates;
  private readonly businesses = new Map<string, BusinessRecord>();
  private readonly users = new Map<string, UserRecord>();
  private readonly graphLog: GraphRequestRecord[] = [];

  constructor(
    readonly settings: ResolvedSettings,
    readonly logger: Logger,
    private readonly seed: SeedConfig | undefined,
    clockOffsetMs = 0,
  ) {
    this.clock = new SimClock(clockOffsetMs);
    this.ledger = new PermissionLedger(() => this.clock.now(), settings.limits);
    this.webhooks = new WebhookDispatcher({
      retryDelaysMs: settings.webhookRetryDelaysMs,
      timeoutMs: settings.webhookTimeoutMs,
      lookupBusiness: (id) => this.businesses.get(id),
      logger,
    });
    const ctx: SimContext = {
      settings,
      clock: this.clock,
      ledger: this.ledger,
      webhooks: this.webhooks,
      logger,
      business: (id) => this.businesses.get(id),
      user: (waId) => this.users.get(waId),
    };
    this.messaging = new Messaging(ctx);
    this.calls = new CallEngine(ctx, this.messaging);
    this.templates = new MessageTemplates(ctx, (wabaId) =>
      [...this.businesses.values()].filter((b) => b.wabaId === wabaId),
    );
    this.applySeed();
  }

  // ---- businesses --------------------------------------------------------------------------

  createBusiness(input: CreateBusinessInput): BusinessRecord {
    const data = parse(CreateBusinessInput, input);
    const phoneNumberId = data.phoneNumberId ?? ids.graphObjectId();
    if (this.businesses.has(phoneNumberId))
      throw new SimError('conflict', `business ${phoneNumberId} already exists`);
    const accessToken = data.accessToken ?? ids.accessToken();
    this.assertUnique(phoneNumberId, { accessToken, displayPhoneNumber: data.displayPhoneNumber });
    const business: BusinessRecord = {
      phoneNumberId,
      displayPhoneNumber: data.displayPhoneNumber,
      verifiedName: data.verifiedName ?? `Business ${data.displayPhoneNumber}`,
      wabaId: data.wabaId ?? ids.graphObjectId(),
      accessToken,
      appSecret: data.appSecret ?? ids.appSecret(),
      webhookUrl: data.webhookUrl,
      verifyToken: data.verifyToken ?? ids.verifyToken(),
      calling: applyCallingPatch(DEFAULT_CALLING, data.calling ?? {}),
      permissionRequestTemplates: data.permissionRequestTemplates ?? [],
      createdAt: this.clock.iso(),
    };
    this.businesses.set(phoneNumberId, business);
    this.logger.info('business created', {
      phoneNumberId,
      displayPhoneNumber: business.displayPhoneNumber,
      webhookUrl: business.webhookUrl,
    });
    return { ...business };
  }

  updateBusiness(phoneNumberId: string, patch: UpdateBusinessInput): BusinessRecord {
    const business = this.requireBusiness(phoneNumberId);
    const data = parse(UpdateBusinessInput, patch);
    this.assertUnique(phoneNumberId, {
      accessToken: data.accessToken,
      displayPhoneNumber: data.displayPhoneNumber,
    });
    const calling = data.calling
      ? applyCallingPatch(business.calling, data.calling)
      : business.calling;
    Object.assign(business, { ...data, calling });
    this.logger.info('business updated', { phoneNumberId, fields: Object.keys(data) });
    return { ...business };
  }

  /** Graph settings update: the same rules, Graph-shaped errors are made by the caller. */
  updateCalling(phoneNumberId: string, patch: CallingSettingsPatch): CallingSettings {
    const business = this.requireBusiness(phoneNumberId);
    business.calling = applyCallingPatch(business.calling, patch);
    return business.calling;
  }

  getBusiness(phoneNumberId: string): BusinessRecord {
    return { ...this.requireBusiness(phoneNumberId) };
  }

  findBusiness(phoneNumberId: string): BusinessRecord | undefined {
    return this.businesses.get(phoneNumberId);
  }

  /** The business whose access token this is (each number has its own). */
  businessByToken(token: string): BusinessRecord | undefined {
    for (const business of this.businesses.values())
      if (business.accessToken === token) return business;
    return undefined;
  }

  listBusinesses(): BusinessRecord[] {
    return [...this.businesses.values()].map((b) => ({ ...b }));
  }

  verifyWebhook(phoneNumberId: string): Promise<VerifyResult> {
    return this.webhooks.verify(this.requireBusiness(phoneNumberId));
  }

  // ---- users -------------------------------------------------------------------------------

  createUser(input: CreateUserInput): UserRecord {
    const data = parse(CreateUserInput, input);
    if (this.users.has(data.waId))
      throw new SimError('conflict', `user ${data.waId} already exists`);
    const user: UserRecord = {
      waId: data.waId,
      name: data.name ?? `User ${data.waId}`,
      behaviour: { ...DEFAULT_BEHAVIOUR, ...data.behaviour },
      createdAt: this.clock.iso(),
    };
    this.users.set(user.waId, user);
    this.logger.info('user created', { waId: user.waId });
    return structuredClone(user);
  }

  getUser(waId: string): UserRecord {
    return structuredClone(this.requireUser(waId));
  }

  listUsers(): UserRecord[] {
    return [...this.users.values()].map((u) => structuredClone(u));
  }

  setBehaviour(waId: string, patch: BehaviourPatch): Behaviour {
    const user = this.requireUser(waId);
    user.behaviour = { ...user.behaviour, ...parse(BehaviourPatch, patch) };
    return { ...user.behaviour };
  }

  userCall(waId: string, phoneNumberId: string): ReturnType<CallEngine['userCall']> {
    return this.calls.userCall(this.requireUser(waId), this.requireBusiness(phoneNumberId));
  }

  // ---- permissions -------------------------------------------------------------------------

  grantPermission(
    waId: string,
    phoneNumberId: string,
    options: { permanent: boolean },
  ): PermissionSnapshot {
    const user = this.requireUser(waId);
    const business = this.requireBusiness(phoneNumberId);
    this.messaging.accept(business, user, {
      permanent: options.permanent,
      source: 'user_action',
      contextMessageId: null,
    });
    return this.permission(phoneNumberId, waId);
  }

  /** The user writes a text message to the business. */
  userMessage(waId: string, phoneNumberId: string, text: string): { id: string } {
    const user = this.requireUser(waId);
    const business = this.requireBusiness(phoneNumberId);
    return { id: this.messaging.userMessage(business, user, text).id };
  }

  revokePermission(waId: string, phoneNumberId: string): PermissionSnapshot {
    const user = this.requireUser(waId);
    const business = this.requireBusiness(phoneNumberId);
    this.messaging.reject(business, user, null, true);
    return this.permission(phoneNumberId, waId);
  }

  permission(phoneNumberId: string, waId: string): PermissionSnapshot {
    return {
      phoneNumberId,
      waId,
      permission: this.ledger.permission(phoneNumberId, waId),
      requests: this.ledger.requestUsage(phoneNumberId, waId),
      connectedCalls: this.ledger.callUsage(phoneNumberId, waId),
    };
  }

  // ---- Graph request log -------------------------------------------------------------------

  recordGraphRequest(record: Omit<GraphRequestRecord, 'id' | 'at'>): void {
    this.graphLog.push({ id: randomUUID(), at: new Date().toISOString(), ...record });
    if (this.graphLog.length > 10_000) this.graphLog.shift();
  }

  listGraphRequests(filter: GraphRequestFilter = {}): GraphRequestRecord[] {
    return this.graphLog.filter((r) => {
      const action =
        typeof r.body === 'object' && r.body !== null && 'action' in r.body
          ? r.body.action
          : undefined;
      return (
        (filter.phoneNumberId === undefined || r.phoneNumberId === filter.phoneNumberId) &&
        (filter.method === undefined || r.method === filter.method.toUpperCase()) &&
        (filter.edge === undefined || r.edge === filter.edge) &&
        (filter.action === undefined || action === filter.action)
      );
    });
  }

  // ---- clock, status, reset ----------------------------------------------------------------

  advanceClock(ms: number): { now: string; offsetMs: number } {
    try {
      this.clock.advance(ms);
    } catch (error) {
      throw new SimError('invalid_request', error instanceof Error ? error.message : String(error));
    }
    this.logger.info('clock advanced', { byMs: ms, now: this.clock.iso() });
    return { now: this.clock.iso(), offsetMs: this.clock.offset };
  }

  status(): Record<string, unknown> {
    const calls = this.calls.list();
    const deliveries = this.webhooks.list();
    return {
      now: this.clock.iso(),
      clockOffsetMs: this.clock.offset,
      businesses: this.businesses.size,
      users: this.users.size,
      calls: {
        total: calls.length,
        active: calls.filter((c) => ['ringing', 'pre_accepted', 'accepted'].includes(c.status))
          .length,
      },
      webhookDeliveries: {
        total: deliveries.length,
        pending: deliveries.filter((d) => d.state === 'pending').length,
        failed: deliveries.filter((d) => d.state === 'failed').length,
      },
      graphRequests: this.graphLog.length,
    };
  }

  /** Back to the state right after start: seed re-applied, clock at real time, logs empty. */
  async reset(): Promise<void> {
    await this.calls.reset();
    this.messaging.reset();
    this.templates.reset();
    this.webhooks.reset();
    this.ledger.reset();
    this.clock.reset();
    this.businesses.clear();
    this.users.clear();
    this.graphLog.length = 0;
    this.applySeed();
    this.logger.info('simulator reset');
  }

  async close(): Promise<void> {
    await this.calls.reset();
    this.messaging.reset();
    await this.webhooks.close();
  }

  // ---- internals ---------------------------------------------------------------------------

  private applySeed(): void {
    if (!this.seed) return;
    const seed = SeedConfig.parse(this.seed);
    for (const business of seed.businesses) this.createBusiness(business);
    for (const user of seed.users) this.createUser(user);
    for (const p of seed.permissions) {
      // Seeded permissions exist before the simulator starts: no webhook for them.
      this.requireUser(p.waId);
      this.requireBusiness(p.phoneNumberId);
      this.ledger.grant(p.phoneNumberId, p.waId, { permanent: p.permanent, source: 'user_action' });
    }
  }

  private assertUnique(
    phoneNumberId: string,
    values: { accessToken?: string; displayPhoneNumber?: string },
  ): void {
    for (const other of this.businesses.values()) {
      if (other.phoneNumberId === phoneNumberId) continue;
      if (values.accessToken !== undefined && other.accessToken === values.accessToken) {
        throw new SimError('conflict', 'another business already uses this access token');
      }
      if (
        values.displayPhoneNumber !== undefined &&
        other.displayPhoneNumber === values.displayPhoneNumber
      ) {
        throw new SimError(
          'conflict',
          `another business already has display number ${values.displayPhoneNumber}`,
        );
      }
    }
  }

  private requireBusiness(phoneNumberId: string): BusinessRecord {
    const business = this.businesses.get(phoneNumberId);
    if (!business) throw new SimError('not_found', `no business ${phoneNumberId}`);
    return business;
  }

  private requireUser(waId: string): UserRecord {
    const user = this.users.get(waId.replace(/^\+/, ''));
    if (!user) throw new SimError('not_found', `no user ${waId}`);
    return user;
  }
}

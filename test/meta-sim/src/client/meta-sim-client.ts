import type { AudioAnalysis } from '../audio/analysis';
import type { TemplateRecord, TemplateStatus } from '../sim/templates';
import type { CallFilter } from '../sim/call-engine';
import type { BehaviourPatch, CallingSettingsPatch } from '../sim/inputs';
import type { PermissionSnapshot, GraphRequestFilter, GraphRequestRecord } from '../sim/simulator';
import type { Behaviour, BusinessRecord, SimCall, UserRecord } from '../sim/types';
import type { DeliveryFilter, VerifyResult, WebhookDelivery } from '../webhooks/dispatcher';

export interface CreateBusinessRequest {
  displayPhoneNumber: string;
  webhookUrl: string;
  phoneNumberId?: string;
  wabaId?: string;
  verifiedName?: string;
  accessToken?: string;
  appSecret?: string;
  verifyToken?: string;
  calling?: CallingSettingsPatch;
  permissionRequestTemplates?: string[];
}

export type UpdateBusinessRequest = Partial<
  Omit<CreateBusinessRequest, 'phoneNumberId' | 'wabaId'>
>;

export interface CreateUserRequest {
  waId: string;
  name?: string;
  behaviour?: BehaviourPatch;
}

export type SpeakRequest = { toneHz: number } | { wavBase64: string } | null;

export interface ClockState {
  now: string;
  nowMs: number;
  offsetMs: number;
}

/** A control-API error: HTTP status plus the simulator's `{error: {code, message}}`. */
export class MetaSimClientError extends Error {
  override readonly name = 'MetaSimClientError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function query(params: object): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null) search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/**
 * Typed client of the simulator's control API (`/sim/v1`). The Graph API side is Meta's
 * and is driven by the code under test, not by this client.
 */
export class MetaSimClient {
  private readonly base: string;

  constructor(baseUrl: string) {
    this.base = baseUrl.replace(/\/+$/, '');
  }

  // ---- businesses

  createBusiness(input: CreateBusinessRequest): Promise<BusinessRecord> {
    return this.request('POST', '/businesses', input);
  }

  updateBusiness(phoneNumberId: string, patch: UpdateBusinessRequest): Promise<BusinessRecord> {
    return this.request('PATCH', `/businesses/${enc(phoneNumberId)}`, patch);
  }

  getBusiness(phoneNumberId: string): Promise<BusinessRecord> {
    return this.request('GET', `/businesses/${enc(phoneNumberId)}`);
  }

  async listBusinesses(): Promise<BusinessRecord[]> {
    return (await this.request<{ businesses: BusinessRecord[] }>('GET', '/businesses')).businesses;
  }

  /** Meta's subscription check against the business's webhook URL (hub.challenge). */
  verifyWebhook(phoneNumberId: string): Promise<VerifyResult> {
    return this.request('POST', `/businesses/${enc(phoneNumberId)}/verify-webhook`, {});
  }

  // ---- users

  createUser(input: CreateUserRequest): Promise<UserRecord> {
    return this.request('POST', '/users', input);
  }

  getUser(waId: string): Promise<UserRecord> {
    return this.request('GET', `/users/${enc(waId)}`);
  }

  async listUsers(): Promise<UserRecord[]> {
    return (await this.request<{ users: UserRecord[] }>('GET', '/users')).users;
  }

  async setBehaviour(waId: string, behaviour: BehaviourPatch): Promise<Behaviour> {
    return (
      await this.request<{ behaviour: Behaviour }>(
        'PATCH',
        `/users/${enc(waId)}/behaviour`,
        behaviour,
      )
    ).behaviour;
  }

  /** The user calls a business number. A refused call (calling off, outside hours, over the limit) has status `refused`. */
  async userCall(waId: string, phoneNumberId: string): Promise<{ callId: string; call: SimCall }> {
    const call = await this.request<SimCall>('POST', `/users/${enc(waId)}/calls`, {
      phoneNumberId,
    });
    return { callId: call.id, call };
  }

  userHangup(callId: string): Promise<SimCall> {
    return this.request('POST', `/calls/${enc(callId)}/hangup`, {});
  }

  /** Resolves once the digits were sent (RFC 4733). */
  userSendDigits(
    callId: string,
    digits: string,
    options: { durationMs?: number; gapMs?: number } = {},
  ): Promise<SimCall> {
    return this.request('POST', `/calls/${enc(callId)}/digits`, { digits, ...options });
  }

  userSpeak(callId: string, speak: SpeakRequest): Promise<SimCall> {
    return this.request('POST', `/calls/${enc(callId)}/speak`, { speak });
  }

  /** The user writes a text to the business (a `messages` webhook; opens the 24-hour window). */
  userMessage(waId: string, phoneNumberId: string, text: string): Promise<{ id: string }> {
    return this.request('POST', `/users/${enc(waId)}/messages`, { phoneNumberId, text });
  }

  /** The user grants permission on their own (a call_permission_reply webhook is sent). */
  grantPermission(
    waId: string,
    phoneNumberId: string,
    options: { permanent?: boolean } = {},
  ): Promise<PermissionSnapshot> {
    return this.request('POST', `/users/${enc(waId)}/permissions/${enc(phoneNumberId)}`, {
      permanent: options.permanent ?? false,
    });
  }

  revokePermission(waId: string, phoneNumberId: string): Promise<PermissionSnapshot> {
    return this.request('DELETE', `/users/${enc(waId)}/permissions/${enc(phoneNumberId)}`);
  }

  getPermission(waId: string, phoneNumberId: string): Promise<PermissionSnapshot> {
    return this.request('GET', `/permissions${query({ waId, phoneNumberId })}`);
  }

  // ---- calls

  getCall(callId: string): Promise<SimCall> {
    return this.request('GET', `/calls/${enc(callId)}`);
  }

  async listCalls(filter: CallFilter = {}): Promise<SimCall[]> {
    return (await this.request<{ calls: SimCall[] }>('GET', `/calls${query(filter)}`)).calls;
  }

  /** What the simulated user heard, as a mono 48 kHz WAV. */
  async getReceivedWav(callId: string): Promise<Buffer> {
    const response = await fetch(`${this.base}/sim/v1/calls/${enc(callId)}/received.wav`);
    if (!response.ok) await this.fail(response);
    return Buffer.from(await response.arrayBuffer());
  }

  analyseCall(
    callId: string,
    window: { fromMs?: number; toMs?: number } = {},
  ): Promise<AudioAnalysis> {
    return this.request('GET', `/calls/${enc(callId)}/analysis${query(window)}`);
  }

  /** Polls a call until `predicate` holds (e.g. `c => c.status === 'ended'`). */
  async waitForCall(
    callId: string,
    predicate: (call: SimCall) => boolean,
    timeoutMs = 10_000,
  ): Promise<SimCall> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const call = await this.getCall(callId);
      if (predicate(call)) return call;
      if (Date.now() > deadline) {
        throw new Error(
          `call ${callId} did not reach the expected state within ${timeoutMs} ms (status ${call.status})`,
        );
      }
      await sleep(50);
    }
  }

  // ---- message templates

  async listTemplates(): Promise<TemplateRecord[]> {
    return (await this.request<{ templates: TemplateRecord[] }>('GET', '/templates')).templates;
  }

  /**
   * Meta's review of a template: APPROVED, REJECTED (with a reason such as INVALID_FORMAT),
   * PAUSED, DISABLED or back to PENDING; the business gets the signed
   * `message_template_status_update` webhook.
   */
  setTemplateStatus(
    templateId: string,
    status: TemplateStatus,
    reason?: string,
  ): Promise<TemplateRecord> {
    return this.request('POST', `/templates/${enc(templateId)}/status`, {
      status,
      ...(reason === undefined ? {} : { reason }),
    });
  }

  // ---- logs

  async listGraphRequests(filter: GraphRequestFilter = {}): Promise<GraphRequestRecord[]> {
    return (
      await this.request<{ requests: GraphRequestRecord[] }>(
        'GET',
        `/graph-requests${query(filter)}`,
      )
    ).requests;
  }

  async listWebhookDeliveries(filter: DeliveryFilter = {}): Promise<WebhookDelivery[]> {
    return (
      await this.request<{ deliveries: WebhookDelivery[] }>(
        'GET',
        `/webhook-deliveries${query(filter)}`,
      )
    ).deliveries;
  }

  /** Polls until at least `count` deliveries match the filter. */
  async waitForWebhookDeliveries(
    filter: DeliveryFilter,
    count = 1,
    timeoutMs = 10_000,
  ): Promise<WebhookDelivery[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const deliveries = await this.listWebhookDeliveries(filter);
      if (deliveries.length >= count) return deliveries;
      if (Date.now() > deadline) {
        throw new Error(
          `only ${deliveries.length} of ${count} webhook deliveries within ${timeoutMs} ms`,
        );
      }
      await sleep(50);
    }
  }

  // ---- clock and state

  /** Moves the simulated clock forward: milliseconds, or a duration like "25h" or "7d". */
  advanceClock(by: number | string): Promise<ClockState> {
    return this.request('POST', '/clock/advance', typeof by === 'number' ? { ms: by } : { by });
  }

  now(): Promise<ClockState> {
    return this.request('GET', '/clock');
  }

  status(): Promise<Record<string, unknown>> {
    return this.request('GET', '/status');
  }

  /** Clears everything (calls, users, businesses, logs, ledger, clock) and re-applies the start-up seed. */
  async reset(): Promise<void> {
    await this.request('POST', '/reset', {});
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.base}/sim/v1${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) await this.fail(response);
    return (await response.json()) as T;
  }

  private async fail(response: Response): Promise<never> {
    const text = await response.text();
    let code = 'http_error';
    let message = text || `HTTP ${response.status}`;
    try {
      const parsed = JSON.parse(text) as { error?: { code?: string; message?: string } };
      code = parsed.error?.code ?? code;
      message = parsed.error?.message ?? message;
    } catch {
      // not JSON: keep the raw text
    }
    throw new MetaSimClientError(response.status, code, message);
  }
}

function enc(value: string): string {
  return encodeURIComponent(value);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

import { type z } from 'zod';
import { MetaGraphError, parseMetaErrorBody, type DeliveryCertainty } from './errors';
import {
  CallPermissionsResponse,
  ConnectResponse,
  MessageResponse,
  PhoneNumberResponse,
  SuccessResponse,
  TemplateCreateResponse,
  TemplateListResponse,
  type CallingSettings,
  type MessageTemplateDefinition,
  type GraphCredentials,
  type GraphRequestRecord,
} from './types';

export interface MetaGraphClientOptions {
  /** e.g. `https://graph.facebook.com` (no trailing version). */
  baseUrl: string;
  /** e.g. `v23.0`. */
  version: string;
  /** Per attempt, from sending the request to the end of the response body. */
  timeoutMs?: number;
  /** Attempts for requests that may be retried (see `RetryPolicy`); at least 1. */
  maxAttempts?: number;
  /** First backoff delay; doubles per attempt, capped at 2 s. */
  retryBaseDelayMs?: number;
  /** Told about every attempt, for call timelines and metrics. Never carries secrets. */
  onRequest?: (record: GraphRequestRecord) => void;
  /** For tests: how to wait between attempts. */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * When a request is repeated after a failure:
 * - `idempotent`: repeating it cannot change the outcome (reads, settings, ending a call):
 *   retried after timeouts, connection resets, 5xx and Meta's transient codes 1 and 2.
 * - `once`: repeating it after it may have reached Meta could act twice (a second call to a
 *   user is worse than a failure): retried only when it certainly never left this host.
 */
export type RetryPolicy = 'idempotent' | 'once';

interface RequestSpec<T> {
  operation: string;
  method: 'GET' | 'POST';
  credentials: GraphCredentials;
  path: string;
  query?: Record<string, string>;
  body?: Record<string, unknown>;
  action?: string;
  retry: RetryPolicy;
  response: z.ZodType<T, z.ZodTypeDef, unknown>;
}

const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const TRANSIENT_META_CODES = new Set([1, 2]);

function errorCode(error: unknown): string | undefined {
  let e: unknown = error;
  for (let depth = 0; depth < 4 && typeof e === 'object' && e !== null; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Meta WhatsApp Cloud API client for calling: call actions, calling settings, permission
 * requests and permission reads. Every request has a timeout; retries follow each
 * operation's `RetryPolicy`; failures are `MetaGraphError`s carrying a Twilio-style code.
 */
export class MetaGraphClient {
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly retryBaseDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: MetaGraphClientOptions) {
    if (!/^v\d+\.\d+$/.test(options.version)) {
      throw new Error(`Graph API version must look like v23.0, got "${options.version}"`);
    }
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 3);
    this.retryBaseDelayMs = options.retryBaseDelayMs ?? 200;
    this.sleep =
      options.sleep ?? ((ms) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref()));
  }

  /** Business-initiated call: send the offer; Meta answers with the WhatsApp call id. */
  async connectCall(
    credentials: GraphCredentials,
    args: { to: string; sdpOffer: string; bizOpaqueCallbackData?: string },
  ): Promise<{ callId: string }> {
    const res = await this.request({
      operation: 'connect',
      method: 'POST',
      credentials,
      path: `/${credentials.phoneNumberId}/calls`,
      action: 'connect',
      retry: 'once',
      body: {
        messaging_product: 'whatsapp',
        to: args.to,
        action: 'connect',
        session: { sdp_type: 'offer', sdp: args.sdpOffer },
        ...(args.bizOpaqueCallbackData !== undefined
          ? { biz_opaque_callback_data: args.bizOpaqueCallbackData }
          : {}),
      },
      response: ConnectResponse,
    });
    const first = res.calls[0];
    if (!first) throw new Error('unreachable: schema requires one call');
    return { callId: first.id };
  }

  /** User-initiated call: set up media with the business's answer before accepting. */
  async preAcceptCall(
    credentials: GraphCredentials,
    args: { callId: string; sdpAnswer: string },
  ): Promise<void> {
    await this.callAction(credentials, 'pre_accept', args.callId, 'once', {
      session: { sdp_type: 'answer', sdp: args.sdpAnswer },
    });
  }

  /** User-initiated call: answer it (the same SDP answer as `pre_accept`). */
  async acceptCall(
    credentials: GraphCredentials,
    args: { callId: string; sdpAnswer: string; bizOpaqueCallbackData?: string },
  ): Promise<void> {
    await this.callAction(credentials, 'accept', args.callId, 'once', {
      session: { sdp_type: 'answer', sdp: args.sdpAnswer },
      ...(args.bizOpaqueCallbackData !== undefined
        ? { biz_opaque_callback_data: args.bizOpaqueCallbackData }
        : {}),
    });
  }

  /** User-initiated call: decline it. Repeating a reject cannot ring anyone. */
  async rejectCall(credentials: GraphCredentials, args: { callId: string }): Promise<void> {
    await this.callAction(credentials, 'reject', args.callId, 'idempotent');
  }

  /** End a call in any direction. Repeating a terminate cannot ring anyone. */
  async terminateCall(credentials: GraphCredentials, args: { callId: string }): Promise<void> {
    await this.callAction(credentials, 'terminate', args.callId, 'idempotent');
  }

  /**
   * `GET /{PHONE_NUMBER_ID}`: proves the access token controls the number (Graph answers
   * an error for a number the token cannot read) and gives its display number.
   */
  async getPhoneNumber(credentials: GraphCredentials): Promise<PhoneNumberResponse> {
    return this.request({
      operation: 'phone_number',
      method: 'GET',
      credentials,
      path: `/${credentials.phoneNumberId}`,
      query: { fields: 'id,display_phone_number' },
      retry: 'idempotent',
      response: PhoneNumberResponse,
    });
  }

  /** `POST /{PHONE_NUMBER_ID}/settings` with a `calling` object (enable/disable calling...). */
  async updateCallingSettings(
    credentials: GraphCredentials,
    calling: CallingSettings,
  ): Promise<void> {
    await this.request({
      operation: 'settings',
      method: 'POST',
      credentials,
      path: `/${credentials.phoneNumberId}/settings`,
      retry: 'idempotent',
      body: { calling },
      response: SuccessResponse,
    });
  }

  /** Sends the interactive `call_permission_request` message to a user. */
  async sendCallPermissionRequest(
    credentials: GraphCredentials,
    args: { to: string; bodyText?: string },
  ): Promise<{ messageId: string }> {
    const res = await this.request({
      operation: 'call_permission_request',
      method: 'POST',
      credentials,
      path: `/${credentials.phoneNumberId}/messages`,
      retry: 'once',
      body: {
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: args.to,
        type: 'interactive',
        interactive: {
          type: 'call_permission_request',
          action: { name: 'call_permission_request' },
          ...(args.bodyText ? { body: { text: args.bodyText } } : {}),
        },
      },
      response: MessageResponse,
    });
    const first = res.messages[0];
    if (!first) throw new Error('unreachable: schema requires one message');
    return { messageId: first.id };
  }

  /**
   * `POST /{PHONE_NUMBER_ID}/messages` with a message the caller built (text, interactive,
   * template): `to` and `messaging_product` are added. Sent once: a repeat after a request
   * that may have reached Meta could deliver the message twice.
   */
  async sendMessage(
    credentials: GraphCredentials,
    args: { to: string; message: Record<string, unknown> },
  ): Promise<{ messageId: string }> {
    const res = await this.request({
      operation: 'messages',
      method: 'POST',
      credentials,
      path: `/${credentials.phoneNumberId}/messages`,
      retry: 'once',
      body: {
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: args.to,
        ...args.message,
      },
      response: MessageResponse,
    });
    const first = res.messages[0];
    if (!first) throw new Error('unreachable: schema requires one message');
    return { messageId: first.id };
  }

  /** `GET /{PHONE_NUMBER_ID}/call_permissions?user_wa_id=`: a user's permission and limits. */
  async getCallPermissions(
    credentials: GraphCredentials,
    args: { userWaId: string },
  ): Promise<CallPermissionsResponse> {
    return this.request({
      operation: 'call_permissions',
      method: 'GET',
      credentials,
      path: `/${credentials.phoneNumberId}/call_permissions`,
      query: { user_wa_id: args.userWaId },
      retry: 'idempotent',
      response: CallPermissionsResponse,
    });
  }

  /**
   * `POST /{WABA_ID}/message_templates`: submits a template for review. Sent once: the
   * caller makes a repeat safe by looking the name up first (`findMessageTemplates`).
   */
  async createMessageTemplate(
    credentials: GraphCredentials,
    args: { wabaId: string; template: MessageTemplateDefinition },
  ): Promise<TemplateCreateResponse> {
    return this.request({
      operation: 'message_templates',
      method: 'POST',
      credentials,
      path: `/${args.wabaId}/message_templates`,
      retry: 'once',
      body: { ...args.template },
      response: TemplateCreateResponse,
    });
  }

  /** `GET /{WABA_ID}/message_templates?name=`: the WABA's templates of that name. */
  async findMessageTemplates(
    credentials: GraphCredentials,
    args: { wabaId: string; name: string },
  ): Promise<TemplateListResponse> {
    return this.request({
      operation: 'message_templates_read',
      method: 'GET',
      credentials,
      path: `/${args.wabaId}/message_templates`,
      query: { name: args.name, fields: 'id,name,language,status,category,rejected_reason' },
      retry: 'idempotent',
      response: TemplateListResponse,
    });
  }

  private async callAction(
    credentials: GraphCredentials,
    action: 'pre_accept' | 'accept' | 'reject' | 'terminate',
    callId: string,
    retry: RetryPolicy,
    extra: Record<string, unknown> = {},
  ): Promise<void> {
    await this.request({
      operation: action,
      method: 'POST',
      credentials,
      path: `/${credentials.phoneNumberId}/calls`,
      action,
      retry,
      body: { messaging_product: 'whatsapp', call_id: callId, action, ...extra },
      response: SuccessResponse,
    });
  }

  private async request<T>(spec: RequestSpec<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.attempt(spec, attempt);
      } catch (error) {
        if (!(error instanceof MetaGraphError)) throw error;
        if (attempt >= this.maxAttempts || !this.mayRetry(spec.retry, error)) throw error;
        await this.sleep(Math.min(2_000, this.retryBaseDelayMs * 2 ** (attempt - 1)));
      }
    }
  }

  private mayRetry(policy: RetryPolicy, error: MetaGraphError): boolean {
    if (error.sent === 'no') return true;
    if (policy !== 'idempotent') return false;
    if (error.kind === 'timeout' || error.kind === 'network') return true;
    if ((error.httpStatus ?? 0) >= 500) return true;
    return error.metaCode !== undefined && TRANSIENT_META_CODES.has(error.metaCode);
  }

  private url(path: string, query?: Record<string, string>): string {
    const url = new URL(
      `${this.options.baseUrl.replace(/\/+$/, '')}/${this.options.version}${path}`,
    );
    for (const [k, v] of Object.entries(query ?? {})) url.searchParams.set(k, v);
    return url.toString();
  }

  private async attempt<T>(spec: RequestSpec<T>, attempt: number): Promise<T> {
    const started = performance.now();
    const record = (outcome: 'ok' | 'error', extra: Partial<GraphRequestRecord> = {}) =>
      this.options.onRequest?.({
        operation: spec.operation,
        method: spec.method,
        path: spec.path,
        ...(spec.action ? { action: spec.action } : {}),
        attempt,
        durationMs: Math.round(performance.now() - started),
        outcome,
        ...extra,
      });
    const fail = (
      kind: 'api' | 'timeout' | 'network' | 'invalid-response',
      message: string,
      details: {
        sent: DeliveryCertainty;
        httpStatus?: number;
        metaCode?: number;
        metaSubcode?: number;
        fbtraceId?: string;
        cause?: unknown;
      },
    ): never => {
      const error = new MetaGraphError(spec.operation, kind, message, details);
      record('error', {
        ...(details.httpStatus !== undefined ? { httpStatus: details.httpStatus } : {}),
        ...(details.metaCode !== undefined ? { metaCode: details.metaCode } : {}),
        error: error.message,
      });
      throw error;
    };

    let response: Response;
    let text: string;
    try {
      response = await fetch(this.url(spec.path, spec.query), {
        method: spec.method,
        headers: {
          authorization: `Bearer ${spec.credentials.accessToken}`,
          accept: 'application/json',
          ...(spec.body ? { 'content-type': 'application/json' } : {}),
        },
        ...(spec.body ? { body: JSON.stringify(spec.body) } : {}),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      const name = (error as { name?: unknown }).name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        return fail('timeout', `no answer within ${this.timeoutMs} ms`, {
          sent: 'maybe',
          cause: error,
        });
      }
      const code = errorCode(error);
      return fail('network', `request failed (${code ?? 'network error'})`, {
        sent: code !== undefined && NOT_SENT_CODES.has(code) ? 'no' : 'maybe',
        cause: error,
      });
    }

    let json: unknown;
    try {
      json = text.length ? (JSON.parse(text) as unknown) : undefined;
    } catch {
      json = undefined;
    }
    if (!response.ok) {
      const meta = parseMetaErrorBody(json);
      const detail = meta.details ? ` (${meta.details})` : '';
      return fail('api', `${meta.message ?? `HTTP ${response.status}`}${detail}`, {
        sent: 'yes',
        httpStatus: response.status,
        ...(meta.code !== undefined ? { metaCode: meta.code } : {}),
        ...(meta.subcode !== undefined ? { metaSubcode: meta.subcode } : {}),
        ...(meta.fbtraceId !== undefined ? { fbtraceId: meta.fbtraceId } : {}),
      });
    }
    const parsed = spec.response.safeParse(json);
    if (!parsed.success) {
      return fail('invalid-response', 'unexpected response body', {
        sent: 'yes',
        httpStatus: response.status,
      });
    }
    record('ok', { httpStatus: response.status });
    return parsed.data;
  }
}

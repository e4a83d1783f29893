import { sdpProblems } from '../media/sdp';
import { jsonBody, type SimRequest, type SimResponse } from '../http/http';
import { CallingSettingsPatch, PhoneDigits } from '../sim/inputs';
import type { LimitUsage } from '../sim/permission-ledger';
import { SimError } from '../sim/sim-error';
import type { MetaSimulator } from '../sim/simulator';
import type { TemplateRecord } from '../sim/templates';
import type { BusinessRecord } from '../sim/types';
import { GraphError, GraphErrors } from './graph-error';

const GRAPH_PATH = /^\/(v\d+\.\d+)\/([^/]+)(?:\/([^/]+))?\/?$/;
const CALL_ACTIONS = ['connect', 'pre_accept', 'accept', 'reject', 'terminate'] as const;
type CallAction = (typeof CALL_ACTIONS)[number];

type Body = Record<string, unknown>;

const ok = (json: unknown): SimResponse => ({ status: 200, json });

function isObject(value: unknown): value is Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function required(body: Body, name: string): unknown {
  const value = body[name];
  if (value === undefined || value === null || value === '') {
    throw GraphErrors.invalidParameter(`The parameter ${name} is required.`);
  }
  return value;
}

function requiredString(body: Body, name: string): string {
  const value = required(body, name);
  if (typeof value !== 'string')
    throw GraphErrors.parameterValueInvalid(`${name} must be a string.`);
  return value;
}

/** Graph accepts JSON and form-encoded bodies; form values holding JSON objects are decoded. */
function parseBody(req: SimRequest): Body {
  const type = String(req.headers['content-type'] ?? '');
  try {
    if (type.includes('application/x-www-form-urlencoded')) {
      const out: Body = {};
      for (const [key, value] of new URLSearchParams(req.rawBody.toString('utf8'))) {
        out[key] = /^\s*[{[]/.test(value) ? (JSON.parse(value) as unknown) : value;
      }
      return out;
    }
    const parsed = jsonBody(req);
    if (!isObject(parsed)) throw new SyntaxError('not an object');
    return parsed;
  } catch {
    throw GraphErrors.invalidParameter('The request body could not be parsed as JSON.');
  }
}

function checkMessagingProduct(body: Body): void {
  const product = required(body, 'messaging_product');
  if (product !== 'whatsapp')
    throw GraphErrors.parameterValueInvalid('messaging_product must be "whatsapp".');
}

function phone(body: Body, name: string): string {
  const raw = required(body, name);
  const parsed = PhoneDigits.safeParse(typeof raw === 'number' ? String(raw) : raw);
  if (!parsed.success)
    throw GraphErrors.parameterValueInvalid(`${name} is not a valid WhatsApp phone number.`);
  return parsed.data;
}

function session(body: Body, expectedType: 'offer' | 'answer'): string {
  const value = required(body, 'session');
  if (!isObject(value))
    throw GraphErrors.parameterValueInvalid('session must be an object with sdp_type and sdp.');
  const type = requiredString(value, 'sdp_type');
  if (type !== expectedType)
    throw GraphErrors.parameterValueInvalid(`session.sdp_type must be "${expectedType}".`);
  const sdp = requiredString(value, 'sdp');
  const problems = sdpProblems(sdp);
  if (problems.length > 0)
    throw GraphErrors.invalidParameter(`Invalid SDP: ${problems.join('; ')}`);
  return sdp;
}

function bizOpaque(body: Body): string | null {
  const value = body.biz_opaque_callback_data;
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string')
    throw GraphErrors.parameterValueInvalid('biz_opaque_callback_data must be a string.');
  if (value.length > 512)
    throw GraphErrors.parameterValueInvalid(
      'biz_opaque_callback_data is limited to 512 characters.',
    );
  return value;
}

function limits(usage: LimitUsage[]): Array<Record<string, unknown>> {
  return usage.map((u) => ({
    time_period: u.timePeriod,
    max_allowed: u.maxAllowed,
    current_usage: u.currentUsage,
    ...(u.limitExpiresAt === null
      ? {}
      : { limit_expiration_time: Math.floor(u.limitExpiresAt / 1000) }),
  }));
}

/**
 * `GET /{phone-number-id}` (authenticated: only its own token reads it), with Graph's
 * `fields` selection; `id` is always there.
 */
function phoneNumberNode(business: BusinessRecord, fields: string | null): Body {
  const node: Body = {
    verified_name: business.verifiedName,
    code_verification_status: 'VERIFIED',
    display_phone_number: `+${business.displayPhoneNumber}`,
    quality_rating: 'GREEN',
    platform_type: 'CLOUD_API',
    throughput: { level: 'STANDARD' },
    id: business.phoneNumberId,
  };
  if (!fields) return node;
  const wanted = new Set(fields.split(',').map((f) => f.trim()));
  const unknown = [...wanted].find((f) => f && !(f in node));
  if (unknown) {
    throw new GraphError(
      400,
      100,
      `(#100) Tried accessing nonexisting field (${unknown}) on node type (WhatsAppBusinessPhoneNumber)`,
      'OAuthException',
      null,
    );
  }
  return Object.fromEntries(Object.entries(node).filter(([k]) => k === 'id' || wanted.has(k)));
}

/** A template as Graph shows it (`GET /{WABA_ID}/message_templates`, `GET /{TEMPLATE_ID}`). */
function templateNode(t: TemplateRecord): Body {
  return {
    id: t.id,
    name: t.name,
    language: t.language,
    status: t.status,
    category: t.category,
    rejected_reason: t.rejectedReason,
    components: t.components,
  };
}

/**
 * The simulated Graph API: `/v{major}.{minor}/{phone-number-id}/{edge}` with a bearer token
 * per business number. Every request, accepted or not, lands in the request log so tests can
 * assert what was (or was not) sent to "Meta".
 */
export class GraphApi {
  constructor(private readonly sim: MetaSimulator) {}

  static matches(path: string): boolean {
    return /^\/v\d+\.\d+\//.test(path);
  }

  async handle(req: SimRequest): Promise<SimResponse> {
    const path = req.url.pathname;
    const match = GRAPH_PATH.exec(path);
    const version = match?.[1] ?? null;
    const id = match?.[2] ?? null;
    const edge = match?.[3] ?? null;
    let body: unknown = null;
    let response: SimResponse;
    try {
      if (!match || !id) throw GraphErrors.unknownPath(path);
      const business = this.authenticate(req, id);
      if (req.method === 'POST') body = parseBody(req);
      response = await this.route(
        req.method,
        business,
        id,
        edge,
        isObject(body) ? body : {},
        req.url.searchParams,
      );
    } catch (error) {
      if (body === null && req.method === 'POST') body = safeBody(req);
      response = this.errorResponse(error);
    }
    const query: Record<string, string> = {};
    for (const [key, value] of req.url.searchParams) if (key !== 'access_token') query[key] = value;
    const json = response.json;
    this.sim.recordGraphRequest({
      method: req.method,
      path,
      version,
      phoneNumberId: id,
      edge,
      query,
      body,
      status: response.status,
      response: json,
      errorCode:
        isObject(json) && isObject(json.error) && typeof json.error.code === 'number'
          ? json.error.code
          : null,
    });
    return response;
  }

  private authenticate(req: SimRequest, id: string): BusinessRecord {
    const header = req.headers.authorization;
    const fromHeader =
      typeof header === 'string'
        ? /^(?:Bearer|OAuth)\s+(.+)$/i.exec(header.trim())?.[1]
        : undefined;
    const token = fromHeader ?? req.url.searchParams.get('access_token') ?? undefined;
    if (!token) throw GraphErrors.missingToken();
    const business = this.sim.businessByToken(token.trim());
    if (!business) throw GraphErrors.invalidToken();
    // A token only reaches its own number, its WABA and the WABA's templates; Graph does
    // not say whether the other one exists.
    if (
      business.phoneNumberId !== id &&
      business.wabaId !== id &&
      this.sim.templates.get(id)?.wabaId !== business.wabaId
    )
      throw GraphErrors.unknownObject(req.method, id);
    return business;
  }

  private async route(
    method: string,
    business: BusinessRecord,
    id: string,
    edge: string | null,
    body: Body,
    query: URLSearchParams,
  ): Promise<SimResponse> {
    if (id === business.wabaId) {
      if (edge !== 'message_templates') throw GraphErrors.unknownObject(method, id);
      if (method === 'POST') {
        const created = this.sim.templates.create(business, body);
        return ok({ id: created.id, status: created.status, category: created.category });
      }
      if (method === 'GET')
        return ok({ data: this.sim.templates.list(id, query.get('name')).map(templateNode) });
      throw GraphErrors.methodNotAllowed(method, `/${id}/message_templates`);
    }
    const template = id === business.phoneNumberId ? undefined : this.sim.templates.get(id);
    if (template) {
      if (method !== 'GET' || edge !== null) throw GraphErrors.unknownObject(method, id);
      return ok(templateNode(template));
    }
    switch (edge) {
      case null:
        if (method !== 'GET') throw GraphErrors.unknownObject(method, id);
        return ok(phoneNumberNode(business, query.get('fields')));
      case 'calls':
        if (method !== 'POST') throw GraphErrors.methodNotAllowed(method, `/${id}/calls`);
        return this.calls(business, body);
      case 'messages':
        if (method !== 'POST') throw GraphErrors.methodNotAllowed(method, `/${id}/messages`);
        return this.messages(business, body);
      case 'settings':
        if (method === 'GET') return ok({ calling: business.calling });
        if (method === 'POST') return this.updateSettings(business, body);
        throw GraphErrors.methodNotAllowed(method, `/${id}/settings`);
      case 'call_permissions':
        if (method !== 'GET') throw GraphErrors.methodNotAllowed(method, `/${id}/call_permissions`);
        return this.callPermissions(business, query);
      default:
        if (method === 'GET') {
          throw new GraphError(
            400,
            100,
            `(#100) Tried accessing nonexisting field (${edge}) on node type (WhatsAppBusinessPhoneNumber)`,
            'OAuthException',
            null,
          );
        }
        throw GraphErrors.unknownObject(method, id);
    }
  }

  private async calls(business: BusinessRecord, body: Body): Promise<SimResponse> {
    checkMessagingProduct(body);
    const action = required(body, 'action');
    if (typeof action !== 'string' || !(CALL_ACTIONS as readonly string[]).includes(action)) {
      throw GraphErrors.parameterValueInvalid(`action must be one of ${CALL_ACTIONS.join(', ')}.`);
    }
    const opaque = bizOpaque(body);
    const success = ok({ messaging_product: 'whatsapp', success: true });
    switch (action as CallAction) {
      case 'connect': {
        const to = phone(body, 'to');
        const sdp = session(body, 'offer');
        const call = this.sim.calls.graphConnect(business, {
          to,
          sdp,
          bizOpaqueCallbackData: opaque,
        });
        return ok({ messaging_product: 'whatsapp', calls: [{ id: call.id }] });
      }
      case 'pre_accept':
        await this.sim.calls.graphPreAccept(
          business,
          requiredString(body, 'call_id'),
          session(body, 'answer'),
        );
        return success;
      case 'accept': {
        const callId = requiredString(body, 'call_id');
        const sdp = body.session === undefined ? null : session(body, 'answer');
        await this.sim.calls.graphAccept(business, callId, sdp, opaque);
        return success;
      }
      case 'reject':
        await this.sim.calls.graphReject(business, requiredString(body, 'call_id'));
        return success;
      case 'terminate':
        await this.sim.calls.graphTerminate(business, requiredString(body, 'call_id'));
        return success;
    }
  }

  private messages(business: BusinessRecord, body: Body): SimResponse {
    checkMessagingProduct(body);
    const rawTo = required(body, 'to');
    const to = phone(body, 'to');
    const type = body.type === undefined ? 'text' : body.type;
    if (typeof type !== 'string') throw GraphErrors.parameterValueInvalid('type must be a string.');
    let isPermissionRequest = false;
    if (type === 'interactive') {
      const interactive = required(body, 'interactive');
      if (!isObject(interactive))
        throw GraphErrors.parameterValueInvalid('interactive must be an object.');
      const kind = requiredString(interactive, 'type');
      if (kind === 'call_permission_request') {
        const action = required(interactive, 'action');
        if (!isObject(action) || action.name !== 'call_permission_request') {
          throw GraphErrors.parameterValueInvalid(
            'interactive.action.name must be "call_permission_request".',
          );
        }
        isPermissionRequest = true;
      }
    } else if (type === 'template') {
      const template = required(body, 'template');
      if (!isObject(template))
        throw GraphErrors.parameterValueInvalid('template must be an object.');
      const name = requiredString(template, 'name');
      const language = required(template, 'language');
      if (!isObject(language) || typeof language.code !== 'string') {
        throw GraphErrors.invalidParameter('The parameter template.language.code is required.');
      }
      const components = Array.isArray(template.components) ? template.components : [];
      isPermissionRequest =
        business.permissionRequestTemplates.includes(name) ||
        components.some((c) => isObject(c) && c.type === 'call_permission_request');
      // Other templates must be ones made through message_templates, and approved (a
      // call-permission request template is Meta's own, as configured for the business).
      if (!isPermissionRequest) {
        const known = this.sim.templates.find(business.wabaId, name, language.code);
        if (!known) throw GraphErrors.templateNotFound(name, language.code);
        if (known.status !== 'APPROVED') throw GraphErrors.templateNotApproved(name, known.status);
      }
    } else if (type === 'text') {
      const text = required(body, 'text');
      if (!isObject(text) || typeof text.body !== 'string' || text.body.length === 0) {
        throw GraphErrors.invalidParameter('The parameter text.body is required.');
      }
    }
    const sent = this.sim.messaging.send(business, { to, type, isPermissionRequest });
    return ok({
      messaging_product: 'whatsapp',
      contacts: [{ input: String(rawTo), wa_id: sent.waId }],
      messages: [{ id: sent.id, ...(type === 'template' ? { message_status: 'accepted' } : {}) }],
    });
  }

  private updateSettings(business: BusinessRecord, body: Body): SimResponse {
    const calling = required(body, 'calling');
    const parsed = CallingSettingsPatch.safeParse(calling);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw GraphErrors.parameterValueInvalid(
        `calling.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid value'}`.replace(
          'calling.:',
          'calling:',
        ),
      );
    }
    try {
      this.sim.updateCalling(business.phoneNumberId, parsed.data);
    } catch (error) {
      if (error instanceof SimError) throw GraphErrors.parameterValueInvalid(error.message);
      throw error;
    }
    return ok({ success: true });
  }

  private callPermissions(business: BusinessRecord, query: URLSearchParams): SimResponse {
    const raw = query.get('user_wa_id');
    if (!raw) throw GraphErrors.invalidParameter('The parameter user_wa_id is required.');
    const waId = PhoneDigits.safeParse(raw);
    if (!waId.success)
      throw GraphErrors.parameterValueInvalid('user_wa_id is not a valid WhatsApp ID.');
    const snapshot = this.sim.permission(business.phoneNumberId, waId.data);
    const startCall = this.sim.ledger.canStartCall(business.phoneNumberId, waId.data);
    return ok({
      messaging_product: 'whatsapp',
      permission: {
        status: snapshot.permission.status,
        ...(snapshot.permission.expiresAt === null
          ? {}
          : { expiration_time: Math.floor(snapshot.permission.expiresAt / 1000) }),
      },
      actions: [
        {
          action_name: 'send_call_permission_request',
          can_perform_action: snapshot.requests.every((u) => u.currentUsage < u.maxAllowed),
          limits: limits(snapshot.requests),
        },
        {
          action_name: 'start_call',
          can_perform_action: startCall.ok,
          limits: limits([snapshot.connectedCalls]),
        },
      ],
    });
  }

  private errorResponse(error: unknown): SimResponse {
    if (error instanceof GraphError) return { status: error.httpStatus, json: error.toEnvelope() };
    this.sim.logger.error('graph request crashed', { error });
    const generic = GraphErrors.genericUser('An unexpected error occurred in the simulator.');
    return { status: generic.httpStatus, json: generic.toEnvelope() };
  }
}

function safeBody(req: SimRequest): unknown {
  try {
    return jsonBody(req);
  } catch {
    return req.rawBody.toString('utf8').slice(0, 2000);
  }
}

import { z } from 'zod';
import { jsonBody, matchRoute, type Route, type SimRequest, type SimResponse } from '../http/http';
import { parseDuration } from '../sim/clock';
import {
  BehaviourPatch,
  CreateBusinessInput,
  CreateUserInput,
  DigitsInput,
  SpeakInput,
  UpdateBusinessInput,
} from '../sim/inputs';
import { SimError } from '../sim/sim-error';
import type { MetaSimulator } from '../sim/simulator';
import { TEMPLATE_STATUSES } from '../sim/templates';

const ok = (json: unknown, status = 200): SimResponse => ({ status, json });

function body<S extends z.ZodTypeAny>(req: SimRequest, schema: S): z.output<S> {
  let raw: unknown;
  try {
    raw = jsonBody(req);
  } catch {
    throw new SimError('invalid_request', 'body is not valid JSON');
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new SimError(
      'invalid_request',
      parsed.error.issues
        .map((i) => `${i.path.map(String).join('.') || 'body'}: ${i.message}`)
        .join('; '),
    );
  }
  return parsed.data as z.output<S>;
}

function optional(query: URLSearchParams, name: string): string | undefined {
  return query.get(name) ?? undefined;
}

function optionalNumber(query: URLSearchParams, name: string): number | undefined {
  const value = query.get(name);
  if (value === null) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new SimError('invalid_request', `${name} must be a number`);
  return n;
}

const CallDirection = z.enum(['USER_INITIATED', 'BUSINESS_INITIATED']).optional();
const CallStatus = z.enum(['ringing', 'pre_accepted', 'accepted', 'ended', 'refused']).optional();
const DeliveryState = z.enum(['pending', 'delivered', 'failed']).optional();
const Field = z
  .enum([
    'calls',
    'messages',
    'message_template_status_update',
    'message_template_quality_update',
    'template_category_update',
  ])
  .optional();
const TemplateStatusInput = z
  .object({
    status: z.enum(TEMPLATE_STATUSES),
    reason: z.string().min(1).max(200).optional(),
  })
  .strict();

function queryEnum<S extends z.ZodTypeAny>(
  schema: S,
  query: URLSearchParams,
  name: string,
): z.output<S> {
  const parsed = schema.safeParse(query.get(name) ?? undefined);
  if (!parsed.success)
    throw new SimError(
      'invalid_request',
      `${name}: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
    );
  return parsed.data as z.output<S>;
}

const ROUTES: Array<Route<MetaSimulator>> = [
  { method: 'GET', pattern: /^\/sim\/v1\/health$/, handler: () => ok({ ok: true }) },
  { method: 'GET', pattern: /^\/sim\/v1\/status$/, handler: (_req, _p, sim) => ok(sim.status()) },
  {
    method: 'POST',
    pattern: /^\/sim\/v1\/reset$/,
    handler: async (_req, _p, sim) => {
      await sim.reset();
      return ok({ ok: true });
    },
  },
  {
    method: 'GET',
    pattern: /^\/sim\/v1\/clock$/,
    handler: (_req, _p, sim) =>
      ok({ now: sim.clock.iso(), nowMs: sim.clock.now(), offsetMs: sim.clock.offset }),
  },
  {
    method: 'POST',
    pattern: /^\/sim\/v1\/clock\/advance$/,
    handler: (req, _p, sim) => {
      const input = body(
        req,
        z.union([
          z.object({ ms: z.number().nonnegative() }).strict(),
          z.object({ by: z.string().min(1) }).strict(),
        ]),
      );
      let ms: number;
      if ('ms' in input) ms = input.ms;
      else {
        try {
          ms = parseDuration(input.by);
        } catch (error) {
          throw new SimError(
            'invalid_request',
            error instanceof Error ? error.message : String(error),
          );
        }
      }
      const result = sim.advanceClock(ms);
      return ok({ ...result, nowMs: sim.clock.now() });
    },
  },
  // ---- businesses
  {
    method: 'POST',
    pattern: /^\/sim\/v1\/businesses$/,
    handler: (req, _p, sim) => ok(sim.createBusiness(body(req, CreateBusinessInput)), 201),
  },
  {
    method: 'GET',
    pattern: /^\/sim\/v1\/businesses$/,
    handler: (_req, _p, sim) => ok({ businesses: sim.listBusinesses() }),
  },
  {
    method: 'GET',
    pattern: /^\/sim\/v1\/businesses\/(?<id>[^/]+)$/,
    handler: (_req, p, sim) => ok(sim.getBusiness(p.id ?? '')),
  },
  {
    method: 'PATCH',
    pattern: /^\/sim\/v1\/businesses\/(?<id>[^/]+)$/,
    handler: (req, p, sim) => ok(sim.updateBusiness(p.id ?? '', body(req, UpdateBusinessInput))),
  },
  {
    method: 'POST',
    pattern: /^\/sim\/v1\/businesses\/(?<id>[^/]+)\/verify-webhook$/,
    handler: async (_req, p, sim) => ok(await sim.verifyWebhook(p.id ?? '')),
  },
  // ---- message templates (Meta's review)
  {
    method: 'GET',
    pattern: /^\/sim\/v1\/templates$/,
    handler: (_req, _p, sim) => ok({ templates: sim.templates.all() }),
  },
  {
    method: 'POST',
    pattern: /^\/sim\/v1\/templates\/(?<id>[^/]+)\/status$/,
    handler: (req, p, sim) => {
      const input = body(req, TemplateStatusInput);
      return ok(sim.templates.setStatus(p.id ?? '', input.status, input.reason ?? null));
    },
  },
  // ---- users
  {
    method: 'POST',
    pattern: /^\/sim\/v1\/users$/,
    handler: (req, _p, sim) => ok(sim.createUser(body(req, CreateUserInput)), 201),
  },
  {
    method: 'GET',
    pattern: /^\/sim\/v1\/users$/,
    handler: (_req, _p, sim) => ok({ users: sim.listUsers() }),
  },
  {
    method: 'GET',
    pattern: /^\/sim\/v1\/users\/(?<waId>[^/]+)$/,
    handler: (_req, p, sim) => ok(sim.getUser(p.waId ?? '')),
  },
  {
    method: 'PATCH',
    pattern: /^\/sim\/v1\/users\/(?<waId>[^/]+)\/behaviour$/,
    handler: (req, p, sim) =>
      ok({ behaviour: sim.setBehaviour(p.waId ?? '', body(req, BehaviourPatch)) }),
  },
  {
    method: 'POST',
    pattern: /^\/sim\/v1\/users\/(?<waId>[^/]+)\/calls$/,
    handler: async (req, p, sim) => {
      const input = body(req, z.object({ phoneNumberId: z.string().min(1) }).strict());
      return ok(await sim.userCall(p.waId ?? '', input.phoneNumberId), 201);
    },
  },
  {
    method: 'POST',
    pattern: /^\/sim\/v1\/users\/(?<waId>[^/]+)\/messages$/,
    handler: (req, p, sim) => {
      const input = body(
        req,
        z.object({ phoneNumberId: z.string().min(1), text: z.string().min(1).max(4096) }).strict(),
      );
      return ok(sim.userMessage(p.waId ?? '', input.phoneNumberId, input.text), 201);
    },
  },
  {
    method: 'POST',
    pattern: /^\/sim\/v1\/users\/(?<waId>[^/]+)\/permissions\/(?<id>[^/]+)$/,
    handler: (req, p, sim) => {
      const input = body(req, z.object({ permanent: z.boolean().default(false) }).strict());
      return ok(sim.grantPermission(p.waId ?? '', p.id ?? '', input));
    },
  },
  {
    method: 'DELETE',
    pattern: /^\/sim\/v1\/users\/(?<waId>[^/]+)\/permissions\/(?<id>[^/]+)$/,
    handler: (_req, p, sim) => ok(sim.revokePermission(p.waId ?? '', p.id ?? '')),
  },
  {
    method: 'GET',
    pattern: /^\/sim\/v1\/permissions$/,
    handler: (req, _p, sim) => {
      const waId = req.url.searchParams.get('waId');
      const phoneNumberId = req.url.searchParams.get('phoneNumberId');
      if (!waId || !phoneNumberId)
        throw new SimError('invalid_request', 'waId and phoneNumberId are required');
      return ok(sim.permission(phoneNumberId, waId.replace(/^\+/, '')));
    },
  },
  // ---- calls
  {
    method: 'GET',
    pattern: /^\/sim\/v1\/calls$/,
    handler: (req, _p, sim) => {
      const q = req.url.searchParams;
      return ok({
        calls: sim.calls.list({
          phoneNumberId: optional(q, 'phoneNumberId'),
          waId: optional(q, 'waId'),
          direction: queryEnum(CallDirection, q, 'direction'),
          status: queryEnum(CallStatus, q, 'status'),
        }),
      });
    },
  },
  {
    method: 'GET',
    pattern: /^\/sim\/v1\/calls\/(?<id>[^/]+)$/,
    handler: (_req, p, sim) => ok(sim.calls.get(p.id ?? '')),
  },
  {
    method: 'POST',
    pattern: /^\/sim\/v1\/calls\/(?<id>[^/]+)\/hangup$/,
    handler: async (_req, p, sim) => ok(await sim.calls.userHangup(p.id ?? '')),
  },
  {
    method: 'POST',
    pattern: /^\/sim\/v1\/calls\/(?<id>[^/]+)\/digits$/,
    handler: async (req, p, sim) =>
      ok(await sim.calls.userSendDigits(p.id ?? '', body(req, DigitsInput))),
  },
  {
    method: 'POST',
    pattern: /^\/sim\/v1\/calls\/(?<id>[^/]+)\/speak$/,
    handler: (req, p, sim) => {
      const { speak } = body(req, z.object({ speak: SpeakInput }).strict());
      const speech =
        speak === null
          ? null
          : 'toneHz' in speak
            ? speak
            : { wav: Buffer.from(speak.wavBase64, 'base64') };
      return ok(sim.calls.userSpeak(p.id ?? '', speech));
    },
  },
  {
    method: 'GET',
    pattern: /^\/sim\/v1\/calls\/(?<id>[^/]+)\/received\.wav$/,
    handler: (_req, p, sim) => ({
      status: 200,
      body: sim.calls.receivedWav(p.id ?? ''),
      contentType: 'audio/wav',
    }),
  },
  {
    method: 'GET',
    pattern: /^\/sim\/v1\/calls\/(?<id>[^/]+)\/analysis$/,
    handler: (req, p, sim) =>
      ok(
        sim.calls.analyse(p.id ?? '', {
          fromMs: optionalNumber(req.url.searchParams, 'fromMs'),
          toMs: optionalNumber(req.url.searchParams, 'toMs'),
        }),
      ),
  },
  // ---- logs
  {
    method: 'GET',
    pattern: /^\/sim\/v1\/graph-requests$/,
    handler: (req, _p, sim) => {
      const q = req.url.searchParams;
      return ok({
        requests: sim.listGraphRequests({
          phoneNumberId: optional(q, 'phoneNumberId'),
          method: optional(q, 'method'),
          edge: optional(q, 'edge'),
          action: optional(q, 'action'),
        }),
      });
    },
  },
  {
    method: 'GET',
    pattern: /^\/sim\/v1\/webhook-deliveries$/,
    handler: (req, _p, sim) => {
      const q = req.url.searchParams;
      return ok({
        deliveries: sim.webhooks.list({
          phoneNumberId: optional(q, 'phoneNumberId'),
          field: queryEnum(Field, q, 'field'),
          kind: optional(q, 'kind'),
          callId: optional(q, 'callId'),
          state: queryEnum(DeliveryState, q, 'state'),
        }),
      });
    },
  },
];

/** The simulator's own JSON API under /sim/v1 (not Meta's): set up, drive and inspect. */
export async function handleControl(sim: MetaSimulator, req: SimRequest): Promise<SimResponse> {
  const found = matchRoute(ROUTES, req.method, req.url.pathname);
  if (found === null)
    return ok({ error: { code: 'not_found', message: `no route ${req.url.pathname}` } }, 404);
  if (found === 'methodMismatch') {
    return ok(
      {
        error: {
          code: 'method_not_allowed',
          message: `${req.method} not allowed on ${req.url.pathname}`,
        },
      },
      405,
    );
  }
  try {
    return await found.route.handler(req, found.params, sim);
  } catch (error) {
    if (error instanceof SimError)
      return ok({ error: { code: error.kind, message: error.message } }, error.httpStatus);
    sim.logger.error('control request crashed', { path: req.url.pathname, error });
    return ok(
      {
        error: {
          code: 'internal',
          message: error instanceof Error ? error.message : String(error),
        },
      },
      500,
    );
  }
}

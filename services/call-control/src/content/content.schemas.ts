import { z } from 'zod';
import { requiredJsonText, twilioIssue } from '../common/twilio-form';
import { registerComponent } from '../openapi/api-doc';
import { ACTION_TYPES, CONTENT_TYPE_NAMES, contentProblem, LIMITS } from './content-rules';

/** Required text, trimmed, at most `max` characters; missing or not text names the field. */
function text(name: string, max: number) {
  return requiredJsonText(
    name,
    max,
    z.string({ required_error: `${name} is required`, invalid_type_error: `${name} must be text` }),
  );
}

function optionalText(name: string, max: number) {
  return text(name, max)
    .nullish()
    .transform((v) => v ?? null);
}

function actions(where: string, min: number) {
  return z
    .array(
      z.object({
        type: z.string().transform((type, ctx) => {
          const known = ACTION_TYPES.find((t) => t === type.trim().toUpperCase());
          if (!known)
            twilioIssue(
              ctx,
              20001,
              `${where}.actions: action type "${type.slice(0, 30)}" is not supported (${ACTION_TYPES.join(', ')})`,
            );
          return known ?? 'VOICE_CALL';
        }),
        title: text(`${where}.actions[].title`, 200),
      }),
    )
    .superRefine((list, ctx) => {
      if (list.length < min) twilioIssue(ctx, 20001, `${where}.actions must hold at least ${min}`);
    });
}

const Types = z
  .record(z.string(), z.unknown())
  .superRefine((types, ctx) => {
    for (const name of Object.keys(types)) {
      if (!(CONTENT_TYPE_NAMES as readonly string[]).includes(name))
        twilioIssue(
          ctx,
          20001,
          `types: "${name.slice(0, 40)}" is not supported; Parley sends ${CONTENT_TYPE_NAMES.join(', ')}`,
        );
    }
  })
  .pipe(
    z.object({
      'twilio/text': z.object({ body: text('twilio/text.body', LIMITS.textBody) }).optional(),
      'twilio/call-to-action': z
        .object({
          body: text('twilio/call-to-action.body', LIMITS.interactiveBody),
          actions: actions('twilio/call-to-action', 1),
        })
        .optional(),
      'twilio/card': z
        .object({
          title: text('twilio/card.title', LIMITS.cardTitle),
          subtitle: optionalText('twilio/card.subtitle', LIMITS.cardSubtitle),
          body: optionalText('twilio/card.body', LIMITS.interactiveBody),
          media: z
            .null()
            .optional()
            .transform(() => null)
            .describe('Media is not supported yet: leave it out'),
          actions: actions('twilio/card', 0).default([]),
        })
        .optional(),
    }),
  )
  .describe('Content by type: twilio/text, twilio/call-to-action, twilio/card');

const SDK_TYPE_NAMES: Record<string, string> = {
  twilioText: 'twilio/text',
  twilioCallToAction: 'twilio/call-to-action',
  twilioCard: 'twilio/card',
};

/**
 * The official SDK's TypeScript types spell the body in camelCase (`friendlyName`,
 * `types.twilioCallToAction`) and send it as written: read as Twilio's own spelling.
 */
export function normalizeContentBody(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const out: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  if (out.friendly_name === undefined && out.friendlyName !== undefined) {
    out.friendly_name = out.friendlyName;
  }
  delete out.friendlyName;
  const types = out.types;
  if (typeof types === 'object' && types !== null && !Array.isArray(types)) {
    out.types = Object.fromEntries(
      Object.entries(types as Record<string, unknown>).map(([k, v]) => [SDK_TYPE_NAMES[k] ?? k, v]),
    );
  }
  return out;
}

/** Body of `POST /v1/Content` (JSON, as the SDK and Twilio's docs send it). */
export const ContentCreateBody = registerComponent(
  'ContentCreateRequest',
  z
    .object({
      friendly_name: optionalText('friendly_name', 256),
      language: z
        .string({ required_error: 'language is required' })
        .transform((value, ctx) => {
          const lang = value.trim();
          if (!/^[a-z]{2,3}([_-][A-Za-z0-9]{2,4})?$/.test(lang))
            twilioIssue(ctx, 20001, `language must be a language code like en or pt_BR`);
          return lang;
        })
        .describe('Language code, e.g. en or pt_BR'),
      variables: z
        .record(z.string(), text('variables value', LIMITS.variableValue))
        .default({})
        .describe('Placeholder number -> sample value, e.g. {"1": "name"}'),
      types: Types,
    })
    .superRefine((content, ctx) => {
      const problem = contentProblem({
        types: content.types,
        variables: content.variables,
      });
      if (problem) twilioIssue(ctx, 20001, problem);
    }),
);
export type ContentCreateCommand = z.output<typeof ContentCreateBody>;

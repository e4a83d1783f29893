/**
 * A Content template as a WhatsApp message template (Meta's `POST /{WABA_ID}/message_templates`
 * format), the rules Meta refuses a template for, checked before anything leaves Parley, and
 * the `template` message that sends an approved one: pure functions, no I/O.
 *
 * Twilio's mapping, as its Content API documents it: the body (a card's title, then its
 * body) becomes the BODY component with `{{n}}` placeholders and the content's sample
 * `variables` as `example.body_text`; a card's subtitle becomes the FOOTER; actions become
 * BUTTONS (a `VOICE_CALL` action is Meta's `VOICE_CALL` button). A `VOICE_CALL_REQUEST`
 * content is never submitted: Twilio documents that it needs no approval and is sent in a
 * session only.
 */
import { type MessageTemplateDefinition } from '@parley/meta-graph';
import { type ContentAction, type ContentTypes, LIMITS, placeholdersOf } from './content-rules';

export const TEMPLATE_CATEGORIES = ['MARKETING', 'UTILITY', 'AUTHENTICATION'] as const;
export type TemplateCategory = (typeof TEMPLATE_CATEGORIES)[number];

/** Meta's template limits. */
export const TEMPLATE_LIMITS = {
  name: 512,
  body: 1024,
  footer: 60,
  buttons: 10,
  buttonText: 25,
} as const;

/** A rule Meta would refuse the template for: its name and what is wrong. */
export interface TemplateProblem {
  rule: string;
  problem: string;
}

export type TemplateResult =
  | { ok: true; template: MessageTemplateDefinition; contentType: string }
  | { ok: false; error: TemplateProblem };

interface ContentLike {
  language: string;
  types: ContentTypes;
  variables: Record<string, string>;
}

interface Parts {
  contentType: string;
  body: string;
  footer: string | null;
  actions: ContentAction[];
}

/** The text parts a content submits, the richest type first (as it is sent). */
function partsOf(types: ContentTypes): Parts | null {
  const cta = types['twilio/call-to-action'];
  if (cta)
    return {
      contentType: 'twilio/call-to-action',
      body: cta.body,
      footer: null,
      actions: cta.actions,
    };
  const card = types['twilio/card'];
  if (card)
    return {
      contentType: 'twilio/card',
      body: card.body === null ? card.title : `${card.title}\n\n${card.body}`,
      footer: card.subtitle,
      actions: card.actions,
    };
  const text = types['twilio/text'];
  if (text) return { contentType: 'twilio/text', body: text.body, footer: null, actions: [] };
  return null;
}

const fail = (rule: string, problem: string): TemplateResult => ({
  ok: false,
  error: { rule, problem },
});

/** Meta's language codes use `_` (`pt_BR`); the Content API accepts `pt-BR` too. */
export function metaLanguage(language: string): string {
  return language.replace('-', '_');
}

/** Where a body's placeholders may stand (Meta's variable rules), or the rule broken. */
function placementProblem(body: string): TemplateProblem | null {
  const trimmed = body.trim();
  if (/^\{\{[^{}]*\}\}/.test(trimmed))
    return { rule: 'variable-at-start', problem: 'the body cannot start with a placeholder' };
  if (/\{\{[^{}]*\}\}[.!?]?$/.test(trimmed))
    return { rule: 'variable-at-end', problem: 'the body cannot end with a placeholder' };
  if (/\}\}\s*\{\{/.test(body))
    return {
      rule: 'adjacent-variables',
      problem: 'two placeholders cannot stand next to each other without text between them',
    };
  const names = [...new Set(placeholdersOf(body))].map(Number).sort((a, b) => a - b);
  const gap = names.findIndex((n, i) => n !== i + 1);
  if (gap !== -1)
    return {
      rule: 'variable-sequence',
      problem: `placeholders must be numbered {{1}}, {{2}}... without gaps: {{${names[gap]}}} has no {{${gap + 1}}} before it`,
    };
  const words = trimmed.split(/\s+/).length;
  if (names.length > 0 && words < 2 * names.length + 1)
    return {
      rule: 'variable-ratio',
      problem: 'the body has too many placeholders for its length (Meta refuses such templates)',
    };
  return null;
}

function buttonsOf(actions: ContentAction[]): TemplateProblem | Record<string, unknown>[] {
  if (actions.some((a) => a.type === 'VOICE_CALL_REQUEST'))
    return {
      rule: 'voice-call-request',
      problem:
        'a VOICE_CALL_REQUEST template does not need WhatsApp approval: send it in a session',
    };
  if (actions.length > TEMPLATE_LIMITS.buttons)
    return { rule: 'button-count', problem: `at most ${TEMPLATE_LIMITS.buttons} buttons` };
  if (actions.filter((a) => a.type === 'VOICE_CALL').length > 1)
    return { rule: 'button-kinds', problem: 'at most one VOICE_CALL button' };
  const buttons: Record<string, unknown>[] = [];
  for (const action of actions) {
    const max = action.type === 'VOICE_CALL' ? LIMITS.voiceCallTitle : TEMPLATE_LIMITS.buttonText;
    if (action.title.length > max)
      return {
        rule: 'button-text',
        problem: `a ${action.type} button's text must be at most ${max} characters`,
      };
    if (placeholdersOf(action.title).length)
      return { rule: 'button-text', problem: 'a button text cannot hold a placeholder' };
    buttons.push({ type: 'VOICE_CALL', text: action.title });
  }
  return buttons;
}

/**
 * Content -> Meta message template, or the first rule Meta would refuse it for:
 * the name (`[a-z0-9_]`, at most 512), the category (MARKETING, UTILITY; AUTHENTICATION
 * needs a one-time-password button no Content type here has), the body (required, at most
 * 1024, placeholders placed as Meta allows), the footer (no placeholders, at most 60) and
 * the buttons (at most 10, one VOICE_CALL, no VOICE_CALL_REQUEST).
 */
export function contentToTemplate(
  content: ContentLike,
  request: { name: string; category: string; allowCategoryChange: boolean },
): TemplateResult {
  const name = request.name;
  if (!name) return fail('name', 'name is required');
  if (name.length > TEMPLATE_LIMITS.name)
    return fail('name', `name must be at most ${TEMPLATE_LIMITS.name} characters`);
  if (!/^[a-z0-9_]+$/.test(name))
    return fail('name', 'name may only hold lowercase letters, digits and underscores');
  const category = TEMPLATE_CATEGORIES.find((c) => c === request.category);
  if (!category)
    return fail('category', `category must be one of ${TEMPLATE_CATEGORIES.join(', ')}`);
  if (category === 'AUTHENTICATION')
    return fail(
      'category',
      'AUTHENTICATION templates need a one-time password button, which this content has not',
    );
  const parts = partsOf(content.types);
  if (!parts) return fail('content-type', 'the content has no type WhatsApp can approve');
  const body = parts.body.trim();
  if (!body) return fail('body', 'the body is required');
  if (body.length > TEMPLATE_LIMITS.body)
    return fail('body', `the body must be at most ${TEMPLATE_LIMITS.body} characters`);
  const placement = placementProblem(body);
  if (placement) return { ok: false, error: placement };
  if (parts.footer !== null) {
    if (parts.footer.length > TEMPLATE_LIMITS.footer)
      return fail('footer', `the footer must be at most ${TEMPLATE_LIMITS.footer} characters`);
    if (placeholdersOf(parts.footer).length)
      return fail('footer', 'the footer (a card subtitle) cannot hold a placeholder');
  }
  const buttons = buttonsOf(parts.actions);
  if (!Array.isArray(buttons)) return { ok: false, error: buttons };

  const names = [...new Set(placeholdersOf(body))].sort((a, b) => Number(a) - Number(b));
  const bodyComponent: Record<string, unknown> = { type: 'BODY', text: body };
  if (names.length)
    bodyComponent.example = { body_text: [names.map((n) => content.variables[n] ?? '')] };
  const components: Record<string, unknown>[] = [bodyComponent];
  if (parts.footer !== null) components.push({ type: 'FOOTER', text: parts.footer });
  if (buttons.length) components.push({ type: 'BUTTONS', buttons });
  return {
    ok: true,
    contentType: parts.contentType,
    template: {
      name,
      language: metaLanguage(content.language),
      category,
      allow_category_change: request.allowCategoryChange,
      components,
    },
  };
}

/**
 * The `template` message that sends an approved template, its body placeholders filled
 * from `values` (per send) else the content's samples.
 */
export function templateMessage(
  content: ContentLike,
  name: string,
  values: Record<string, string>,
): Record<string, unknown> {
  const parts = partsOf(content.types);
  const merged = { ...content.variables, ...values };
  const names = [...new Set(placeholdersOf(parts?.body ?? ''))].sort(
    (a, b) => Number(a) - Number(b),
  );
  return {
    type: 'template',
    template: {
      name,
      language: { code: metaLanguage(content.language) },
      ...(names.length
        ? {
            components: [
              {
                type: 'body',
                parameters: names.map((n) => ({ type: 'text', text: merged[n] ?? '' })),
              },
            ],
          }
        : {}),
    },
  };
}

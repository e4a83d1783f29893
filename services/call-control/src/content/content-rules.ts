/**
 * The Content API's rules for the content types Parley sends over WhatsApp, and how a
 * validated content becomes a Meta message: pure functions, no I/O. The rules are the ones
 * Twilio's WhatsApp Business Calling documentation states (seed 001): a `VOICE_CALL_REQUEST`
 * action is the only button of a `twilio/call-to-action`, whose body and action title are
 * required (and ignored when the request is sent); voice call buttons (`VOICE_CALL`) in
 * `twilio/card` and `twilio/call-to-action`; `{{n}}` placeholders declared in `variables`.
 */

export const CONTENT_TYPE_NAMES = ['twilio/text', 'twilio/call-to-action', 'twilio/card'] as const;
export type ContentTypeName = (typeof CONTENT_TYPE_NAMES)[number];

export const ACTION_TYPES = ['VOICE_CALL_REQUEST', 'VOICE_CALL'] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

export interface ContentAction {
  type: ActionType;
  title: string;
}
export interface TextContent {
  body: string;
}
export interface CallToActionContent {
  body: string;
  actions: ContentAction[];
}
export interface CardContent {
  title: string;
  subtitle: string | null;
  body: string | null;
  media: null;
  actions: ContentAction[];
}
export interface ContentTypes {
  'twilio/text'?: TextContent;
  'twilio/call-to-action'?: CallToActionContent;
  'twilio/card'?: CardContent;
}

/** Meta's limits: message text 4096 (Twilio: 1600), interactive body 1024, voice button 20. */
export const LIMITS = {
  textBody: 1600,
  interactiveBody: 1024,
  cardTitle: 1024,
  cardSubtitle: 60,
  actionTitle: 25,
  voiceCallTitle: 20,
  variableValue: 1024,
  maxVariables: 100,
} as const;

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** The placeholder names a text uses (`{{1}}` -> `1`). */
export function placeholdersOf(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '');
}

/** Every text of a content that may carry placeholders, with where it is. */
function textsOf(types: ContentTypes): { where: string; text: string }[] {
  const out: { where: string; text: string }[] = [];
  const text = types['twilio/text'];
  if (text) out.push({ where: 'twilio/text.body', text: text.body });
  const cta = types['twilio/call-to-action'];
  if (cta) out.push({ where: 'twilio/call-to-action.body', text: cta.body });
  const card = types['twilio/card'];
  if (card) {
    out.push({ where: 'twilio/card.title', text: card.title });
    if (card.subtitle !== null) out.push({ where: 'twilio/card.subtitle', text: card.subtitle });
    if (card.body !== null) out.push({ where: 'twilio/card.body', text: card.body });
  }
  return out;
}

function actionProblem(where: string, actions: ContentAction[], allowRequest: boolean) {
  if (actions.some((a) => a.type === 'VOICE_CALL_REQUEST')) {
    if (!allowRequest)
      return `${where}: VOICE_CALL_REQUEST is only allowed in twilio/call-to-action`;
    if (actions.length > 1)
      return (
        `${where}: the VOICE_CALL_REQUEST action must be the only call-to-action button in the ` +
        'template. It cannot be combined with other action types such as URL, PHONE, or VOICE_CALL.'
      );
  }
  if (actions.filter((a) => a.type === 'VOICE_CALL').length > 1)
    return `${where}: at most one VOICE_CALL button is allowed`;
  for (const action of actions) {
    const max = action.type === 'VOICE_CALL' ? LIMITS.voiceCallTitle : LIMITS.actionTitle;
    if (action.title.length > max)
      return `${where}: the title of a ${action.type} action must be at most ${max} characters`;
  }
  return null;
}

/**
 * The first rule a content breaks (the field shapes are already checked), or null. Rules
 * across fields: the VOICE_CALL_REQUEST rules, one voice call button, a card with more than
 * a title, and every placeholder declared in `variables` with a numeric name.
 */
export function contentProblem(content: {
  types: ContentTypes;
  variables: Record<string, string>;
}): string | null {
  const { types, variables } = content;
  if (!CONTENT_TYPE_NAMES.some((name) => types[name] !== undefined))
    return `types must hold at least one of ${CONTENT_TYPE_NAMES.join(', ')}`;
  for (const name of Object.keys(variables)) {
    if (!/^[1-9]\d{0,2}$/.test(name))
      return `variables: "${name.slice(0, 20)}" is not a placeholder number (1, 2, 3...)`;
  }
  if (Object.keys(variables).length > LIMITS.maxVariables)
    return `variables: at most ${LIMITS.maxVariables} placeholders`;
  const cta = types['twilio/call-to-action'];
  if (cta) {
    const problem = actionProblem('twilio/call-to-action', cta.actions, true);
    if (problem) return problem;
  }
  const card = types['twilio/card'];
  if (card) {
    if (card.subtitle === null && card.body === null && card.actions.length === 0)
      return 'twilio/card must include a title and at least one additional field (subtitle, body or actions)';
    const problem = actionProblem('twilio/card', card.actions, false);
    if (problem) return problem;
  }
  for (const { where, text } of textsOf(types)) {
    for (const name of placeholdersOf(text)) {
      if (!/^[1-9]\d{0,2}$/.test(name))
        return `${where}: placeholder {{${name.slice(0, 20)}}} must be a number like {{1}}`;
      if (variables[name] === undefined)
        return `${where}: placeholder {{${name}}} is not declared in variables`;
    }
  }
  return null;
}

/** Whether a content asks the user for call permission (a VOICE_CALL_REQUEST action). */
export function isPermissionRequestContent(types: ContentTypes): boolean {
  return !!types['twilio/call-to-action']?.actions.some((a) => a.type === 'VOICE_CALL_REQUEST');
}

/** A content made into the Meta message to send, and the text shown as the message body. */
export interface RenderedContent {
  /** Meta's message object without `to`/`messaging_product` (type + its payload). */
  message: Record<string, unknown>;
  /** The message resource's `body`. */
  body: string;
  isPermissionRequest: boolean;
}

export type RenderResult = { ok: true; value: RenderedContent } | { ok: false; problem: string };

function fill(text: string, values: Record<string, string>): string {
  return text.replace(PLACEHOLDER, (_m, name: string) => values[name] ?? '');
}

function voiceCall(body: string, title: string, footer: string | null): Record<string, unknown> {
  return {
    type: 'interactive',
    interactive: {
      type: 'voice_call',
      body: { text: body },
      ...(footer ? { footer: { text: footer } } : {}),
      action: { name: 'voice_call', parameters: { display_text: title } },
    },
  };
}

/**
 * The session (free-form) message a content becomes on WhatsApp, its placeholders filled
 * from `values` (given per send) else the content's own sample `variables`. The richest
 * type wins: call-to-action, then card, then text.
 */
export function renderContent(
  content: { types: ContentTypes; variables: Record<string, string> },
  values: Record<string, string>,
): RenderResult {
  const merged = { ...content.variables, ...values };
  const cta = content.types['twilio/call-to-action'];
  if (cta) {
    const body = fill(cta.body, merged);
    const request = cta.actions.find((a) => a.type === 'VOICE_CALL_REQUEST');
    if (request) {
      // Twilio: the body and the title are required but ignored when the request is sent.
      return {
        ok: true,
        value: {
          message: {
            type: 'interactive',
            interactive: {
              type: 'call_permission_request',
              action: { name: 'call_permission_request' },
            },
          },
          body,
          isPermissionRequest: true,
        },
      };
    }
    if (body.length > LIMITS.interactiveBody)
      return { ok: false, problem: `the body would be over ${LIMITS.interactiveBody} characters` };
    const button = cta.actions.find((a) => a.type === 'VOICE_CALL');
    if (button) {
      return {
        ok: true,
        value: { message: voiceCall(body, button.title, null), body, isPermissionRequest: false },
      };
    }
  }
  const card = content.types['twilio/card'];
  if (card) {
    const title = fill(card.title, merged);
    const text = card.body === null ? title : `${title}\n\n${fill(card.body, merged)}`;
    const subtitle = card.subtitle === null ? null : fill(card.subtitle, merged);
    const button = card.actions.find((a) => a.type === 'VOICE_CALL');
    if (button) {
      if (text.length > LIMITS.interactiveBody)
        return {
          ok: false,
          problem: `the card text would be over ${LIMITS.interactiveBody} characters`,
        };
      return {
        ok: true,
        value: {
          message: voiceCall(text, button.title, subtitle),
          body: text,
          isPermissionRequest: false,
        },
      };
    }
    const plain = subtitle === null ? text : `${text}\n${subtitle}`;
    return textMessage(plain);
  }
  const text = content.types['twilio/text'];
  if (text) return textMessage(fill(text.body, merged));
  return { ok: false, problem: 'the content has no type Parley can send on WhatsApp' };
}

function textMessage(body: string): RenderResult {
  if (body.length > LIMITS.textBody)
    return { ok: false, problem: `the body would be over ${LIMITS.textBody} characters` };
  return {
    ok: true,
    value: { message: { type: 'text', text: { body } }, body, isPermissionRequest: false },
  };
}

/** A session text message (`Body` of Messages.json). */
export function renderBody(body: string): RenderResult {
  return textMessage(body);
}

import { type ListCommand, listQuery, textFilter } from '../common/list-query';
import { z } from 'zod';
import { formField, twilioIssue } from '../common/twilio-form';
import { registerComponent } from '../openapi/api-doc';
import { LIMITS } from '../content/content-rules';

/**
 * Form fields of `Messages.json` (create), in the order Twilio checks them: the first
 * problem is the one answered. A message is a Content template (ContentSid, with
 * ContentVariables) or session text (Body); with both, the template wins, as at Twilio.
 */
export const CreateMessageForm = registerComponent(
  'CreateMessageRequest',
  z
    .object({
      To: formField
        .required(21604, "A 'To' phone number is required.")
        .describe('whatsapp:+E.164 of the WhatsApp user'),
      From: formField
        .required(21603, "A 'From' phone number is required.")
        .describe('whatsapp:+E.164 of a WhatsApp sender of the account'),
      ContentSid: formField.text('ContentSid').describe('A Content template (HX...)'),
      ContentVariables: formField
        .text('ContentVariables', 16_384)
        .describe('JSON object of placeholder values, e.g. {"1": "Ana"}'),
      Body: formField.text('Body').describe('Session (free-form) text, up to 1600 characters'),
      StatusCallback: formField
        .url('StatusCallback', 21609)
        .describe("Where status changes are sent (default: the sender's status_callback_url)"),
      StatusCallbackMethod: formField.method('StatusCallbackMethod'),
      MessagingServiceSid: formField.text('MessagingServiceSid'),
      MediaUrl: formField.text('MediaUrl'),
    })
    .superRefine((form, ctx) => {
      if (form.MessagingServiceSid !== undefined)
        twilioIssue(
          ctx,
          20001,
          'MessagingServiceSid is not supported: give From (a WhatsApp sender)',
        );
      else if (form.MediaUrl !== undefined)
        twilioIssue(ctx, 20001, 'MediaUrl is not supported yet: send text or a Content template');
      else if (form.ContentSid === undefined && form.Body === undefined)
        twilioIssue(ctx, 21619, 'A text message body or media urls must be specified.');
      else if (form.ContentSid === undefined && (form.Body ?? '').length > LIMITS.textBody)
        twilioIssue(ctx, 21617, 'The concatenated message body exceeds the 1600 character limit.');
      else if (form.ContentSid !== undefined && !/^HX[0-9a-f]{32}$/.test(form.ContentSid))
        twilioIssue(ctx, 21655, `The ContentSid is Invalid: ${form.ContentSid.slice(0, 40)}`);
    }),
);
export type CreateMessageCommand = z.output<typeof CreateMessageForm>;

/** ContentVariables: a JSON object of placeholder number -> text (numbers are taken as text). */
export function parseContentVariables(
  raw: string | undefined,
): { ok: true; value: Record<string, string> } | { ok: false; problem: string } {
  if (raw === undefined) return { ok: true, value: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw) as unknown;
  } catch {
    return { ok: false, problem: 'ContentVariables must be a JSON object' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return { ok: false, problem: 'ContentVariables must be a JSON object' };
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (typeof value !== 'string' && typeof value !== 'number')
      return { ok: false, problem: `ContentVariables.${key.slice(0, 20)} must be text` };
    const text = String(value);
    if (text.length > LIMITS.variableValue)
      return {
        ok: false,
        problem: `ContentVariables.${key.slice(0, 20)} must be at most ${LIMITS.variableValue} characters`,
      };
    values[key] = text;
  }
  return { ok: true, value: values };
}

/** Query of `GET Messages.json`: paging, then the address filters. */
export const ListMessagesQuery = listQuery({
  To: textFilter('Only messages to this address'),
  From: textFilter('Only messages from this address'),
});
export type ListMessagesCommand = ListCommand<typeof ListMessagesQuery>;

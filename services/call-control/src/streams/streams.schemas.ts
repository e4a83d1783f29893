import { StreamTrack } from '@parley/contracts';
import { z } from 'zod';
import { formField, twilioIssue } from '../common/twilio-form';
import { registerComponent } from '../openapi/api-doc';

/** Twilio's `Parameter1.Name` ... `Parameter99.Value`: the stream's `customParameters`. */
export const MAX_STREAM_PARAMETERS = 99;

const parameterFields: Record<string, z.ZodTypeAny> = {};
for (let n = 1; n <= MAX_STREAM_PARAMETERS; n++) {
  parameterFields[`Parameter${n}.Name`] = formField.text(`Parameter${n}.Name`, 64);
  parameterFields[`Parameter${n}.Value`] = formField.text(`Parameter${n}.Value`, 1024);
}

/** A WebSocket URL (`wss://`, or `ws://` where the media policy allows it), else 21205. */
const webSocketUrl = z.preprocess(
  (value, ctx) => {
    const text = formField.text('Url').parse(value);
    if (text === undefined) {
      twilioIssue(ctx, 20001, 'Missing required parameter Url in the post body');
      return text;
    }
    let protocol: string | null = null;
    try {
      protocol = new URL(text).protocol;
    } catch {
      protocol = null;
    }
    if (protocol !== 'wss:' && protocol !== 'ws:') {
      twilioIssue(ctx, 21205, `Url is not a valid WebSocket URL (wss://): ${text.slice(0, 80)}`);
    }
    return text;
  },
  z.string().max(2048, 'Url must be at most 2048 characters'),
);

const CreateStreamFields = z.object({
  Url: webSocketUrl,
  Name: formField.text('Name', 256),
  Track: formField.oneOf('Track', StreamTrack.options),
  StatusCallback: formField.url('StatusCallback', 21609),
  StatusCallbackMethod: formField.method('StatusCallbackMethod'),
});

/** `Parameter<N>.Name` / `Parameter<N>.Value`, N from 1 to 99. */
type ParameterFields = Partial<
  Record<`Parameter${number}.Name` | `Parameter${number}.Value`, string>
>;
export type CreateStreamCommand = z.output<typeof CreateStreamFields> & ParameterFields;

/**
 * Form fields of `Calls/{CallSid}/Streams.json` (start a listen-only stream on a live
 * call), as Twilio's OpenAPI spells them; the `ParameterN.*` pairs are checked too.
 */
export const CreateStreamForm = registerComponent(
  'CreateStreamRequest',
  CreateStreamFields.extend(parameterFields),
) as unknown as z.ZodType<CreateStreamCommand, z.ZodTypeDef, unknown>;

/** The `customParameters` of a create: each `ParameterN.Name` with its value (or ''). */
export function streamParameters(command: CreateStreamCommand): Record<string, string> {
  const parameters: Record<string, string> = {};
  for (let n = 1; n <= MAX_STREAM_PARAMETERS; n++) {
    const name = command[`Parameter${n}.Name`];
    if (name !== undefined) parameters[name] = command[`Parameter${n}.Value`] ?? '';
  }
  return parameters;
}

/** Form fields of `Calls/{CallSid}/Streams/{Sid}.json`: Twilio's only update, `stopped`. */
export const UpdateStreamForm = registerComponent(
  'UpdateStreamRequest',
  z.object({
    Status: formField.oneOf('Status', ['stopped']),
  }),
);
export type UpdateStreamCommand = z.output<typeof UpdateStreamForm>;

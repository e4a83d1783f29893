import { RecordingStatus, StatusCallbackEvent } from '@parley/contracts';
import { z } from 'zod';
import {
  type ListCommand,
  listQuery,
  oneOfFilter,
  textFilter,
  timeFilter,
} from '../common/list-query';
import { formField, twilioIssue } from '../common/twilio-form';
import { registerComponent } from '../openapi/api-doc';
import { REST_CALL_STATUSES } from './call.resource';

/**
 * Form fields of `Calls.json` (create), in the order Twilio checks them: the first
 * problem is the one answered.
 */
export const CreateCallForm = registerComponent(
  'CreateCallRequest',
  z
    .object({
      To: formField
        .required(21201, "A 'To' phone number is required.")
        .describe('whatsapp:+E.164 of the WhatsApp user'),
      From: formField
        .required(21213, "A 'From' phone number is required.")
        .describe('whatsapp:+E.164 of a voice-enabled WhatsApp sender of the account'),
      Url: formField.url('Url').describe('TwiML to run when the call is answered'),
      Twiml: formField.text('Twiml', 4000),
      ApplicationSid: formField.text('ApplicationSid'),
      StatusCallbackEvent: formField.enumList('StatusCallbackEvent', StatusCallbackEvent.options),
      Record: formField.bool('Record'),
      RecordingChannels: formField.oneOf('RecordingChannels', ['mono', 'dual']),
      RecordingStatusCallback: formField.url('RecordingStatusCallback'),
      RecordingStatusCallbackMethod: formField.method('RecordingStatusCallbackMethod'),
      RecordingStatusCallbackEvent: formField.enumList(
        'RecordingStatusCallbackEvent',
        RecordingStatus.options,
      ),
      Timeout: formField
        .int('Timeout', 1, 600)
        .describe('Seconds to ring before no-answer (default 60)'),
      TimeLimit: formField
        .int('TimeLimit', 1, 86_400)
        .describe('Maximum seconds of the call (default 14400)'),
      Method: formField.method('Method'),
      FallbackUrl: formField.url('FallbackUrl'),
      FallbackMethod: formField.method('FallbackMethod'),
      StatusCallback: formField.url('StatusCallback'),
      StatusCallbackMethod: formField.method('StatusCallbackMethod'),
    })
    .superRefine((form, ctx) => {
      const given = [form.Url, form.Twiml, form.ApplicationSid].filter(
        (v) => v !== undefined,
      ).length;
      if (given === 0)
        twilioIssue(
          ctx,
          21205,
          'Url, Twiml or ApplicationSid is required to say what the call runs',
        );
      else if (given > 1) twilioIssue(ctx, 20001, 'Give only one of Url, Twiml and ApplicationSid');
    }),
);
export type CreateCallCommand = z.output<typeof CreateCallForm>;

/** Form fields of `Calls/{Sid}.json` (update: redirect, end, or change callbacks and limits). */
export const UpdateCallForm = registerComponent(
  'UpdateCallRequest',
  z
    .object({
      Status: formField
        .oneOf('Status', ['canceled', 'completed'])
        .describe('canceled ends a call not yet answered; completed ends any call'),
      Url: formField.url('Url').describe('Redirect the call to new TwiML'),
      Twiml: formField.text('Twiml', 4000),
      Method: formField.method('Method'),
      FallbackUrl: formField.url('FallbackUrl'),
      FallbackMethod: formField.method('FallbackMethod'),
      StatusCallback: formField.url('StatusCallback'),
      StatusCallbackMethod: formField.method('StatusCallbackMethod'),
      TimeLimit: formField.int('TimeLimit', 1, 86_400),
    })
    .superRefine((form, ctx) => {
      if (form.Url !== undefined && form.Twiml !== undefined)
        twilioIssue(ctx, 20001, 'Give only one of Url and Twiml');
    }),
);
export type UpdateCallCommand = z.output<typeof UpdateCallForm>;

/** Query of `GET Calls.json`: paging, then Twilio's filters. */
export const ListCallsQuery = listQuery({
  To: textFilter('Only calls to this address'),
  From: textFilter('Only calls from this address'),
  ParentCallSid: textFilter('Only children of this call'),
  // Twilio's REST statuses: `initiated` is a callback event only (shown as `queued`).
  Status: oneOfFilter('Status', REST_CALL_STATUSES, 'Only calls in this status'),
  StartTime: timeFilter(
    'StartTime',
    '=',
    'Started on this date (YYYY-MM-DD) or day of this date-time',
  ),
  'StartTime<': timeFilter('StartTime<', '<', 'Started on or before'),
  'StartTime>': timeFilter('StartTime>', '>', 'Started on or after'),
  EndTime: timeFilter('EndTime', '=', 'Ended on this date'),
  'EndTime<': timeFilter('EndTime<', '<', 'Ended on or before'),
  'EndTime>': timeFilter('EndTime>', '>', 'Ended on or after'),
});
export type ListCallsCommand = ListCommand<typeof ListCallsQuery>;

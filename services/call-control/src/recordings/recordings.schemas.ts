import { RecordingStatus, RecordingTrack } from '@parley/contracts';
import { z } from 'zod';
import { type ListCommand, listQuery, textFilter, timeFilter } from '../common/list-query';
import { formField } from '../common/twilio-form';
import { registerComponent } from '../openapi/api-doc';

/** Form fields of `Calls/{CallSid}/Recordings.json` (start recording a live call). */
export const StartRecordingForm = registerComponent(
  'StartRecordingRequest',
  z.object({
    RecordingStatusCallback: formField.url('RecordingStatusCallback'),
    RecordingChannels: formField.oneOf('RecordingChannels', ['mono', 'dual']),
    RecordingTrack: formField.oneOf('RecordingTrack', RecordingTrack.options),
    RecordingStatusCallbackMethod: formField.method('RecordingStatusCallbackMethod'),
    RecordingStatusCallbackEvent: formField.enumList(
      'RecordingStatusCallbackEvent',
      RecordingStatus.options,
    ),
  }),
);
export type StartRecordingCommand = z.output<typeof StartRecordingForm>;

/**
 * Form fields of `Calls/{CallSid}/Recordings/{Sid}.json`. Twilio's other statuses are
 * recognised so that asking for them gets its own answer (pausing is not supported).
 */
export const UpdateRecordingForm = registerComponent(
  'UpdateRecordingRequest',
  z.object({
    Status: formField
      .oneOf('Status', ['stopped', 'paused', 'in-progress'])
      .describe('stopped ends the recording'),
  }),
);
export type UpdateRecordingCommand = z.output<typeof UpdateRecordingForm>;

/** The creation-date filters of both recording lists. */
const DATE_CREATED_FILTERS = {
  DateCreated: timeFilter(
    'DateCreated',
    '=',
    'Created on this date (YYYY-MM-DD) or day of this date-time',
  ),
  'DateCreated<': timeFilter('DateCreated<', '<', 'Created on or before'),
  'DateCreated>': timeFilter('DateCreated>', '>', 'Created on or after'),
};

/** Query of `GET Recordings.json` (the account's recordings). */
export const ListRecordingsQuery = listQuery({
  CallSid: textFilter('Only recordings of this call'),
  ...DATE_CREATED_FILTERS,
});
export type ListRecordingsCommand = ListCommand<typeof ListRecordingsQuery>;

/** Query of `GET Calls/{CallSid}/Recordings.json` (one call's recordings). */
export const ListCallRecordingsQuery = listQuery(DATE_CREATED_FILTERS);

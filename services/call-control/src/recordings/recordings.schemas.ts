import { RecordingStatus, RecordingTrack } from '@parley/contracts';
import { z } from 'zod';
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

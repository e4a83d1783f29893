import { type ListCommand, listQuery, textFilter } from '../common/list-query';
import { z } from 'zod';
import { formField } from '../common/twilio-form';
import { registerComponent } from '../openapi/api-doc';

/**
 * Form fields of `Applications.json` (create) and `Applications/{Sid}.json` (update); only
 * the fields given are set.
 */
export const ApplicationForm = registerComponent(
  'ApplicationRequest',
  z.object({
    FriendlyName: formField.text('FriendlyName', 64),
    VoiceUrl: formField.url('VoiceUrl'),
    VoiceMethod: formField.method('VoiceMethod'),
    VoiceFallbackUrl: formField.url('VoiceFallbackUrl'),
    VoiceFallbackMethod: formField.method('VoiceFallbackMethod'),
    StatusCallback: formField.url('StatusCallback'),
    StatusCallbackMethod: formField.method('StatusCallbackMethod'),
  }),
);
export type ApplicationCommand = z.output<typeof ApplicationForm>;

/** Query of `GET Applications.json`: paging, then the name filter. */
export const ListApplicationsQuery = listQuery({
  FriendlyName: textFilter('Only applications with this name'),
});
export type ListApplicationsCommand = ListCommand<typeof ListApplicationsQuery>;

import { z } from 'zod';
import { formField } from '../common/twilio-form';
import { registerComponent } from '../openapi/api-doc';

/** Form fields of `Keys.json` (create) and `Keys/{Sid}.json` (rename). */
export const KeyForm = registerComponent(
  'KeyRequest',
  z.object({ FriendlyName: formField.text('FriendlyName', 64) }),
);
export type KeyCommand = z.output<typeof KeyForm>;

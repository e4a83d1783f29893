import { RecordingSource, RecordingStatus, RecordingTrack } from '@parley/contracts';
import { z } from 'zod';
import { accountPath, API_VERSION, rfc2822 } from '../common/twilio-format';
import { registerComponent } from '../openapi/api-doc';
import { type RecordingEntity } from './recording.entity';

/** Twilio's Recording resource, field for field (no prices, transcriptions or encryption). */
export const RecordingResource = z.object({
  account_sid: z.string(),
  api_version: z.literal(API_VERSION),
  call_sid: z.string(),
  conference_sid: z.null(),
  date_created: z.string().describe('RFC 2822'),
  date_updated: z.string().describe('RFC 2822'),
  start_time: z.string().describe('RFC 2822'),
  duration: z.string().nullable().describe('Whole seconds, once completed; -1 while recording'),
  sid: z.string(),
  price: z.null(),
  price_unit: z.literal('USD'),
  status: RecordingStatus,
  channels: z.number().int(),
  source: RecordingSource,
  error_code: z.number().int().nullable(),
  uri: z.string(),
  encryption_details: z.null(),
  subresource_uris: z.object({ add_on_results: z.string(), transcriptions: z.string() }),
  media_url: z.string().describe('The WAV (append .wav, or nothing)'),
  track: RecordingTrack,
});
registerComponent('Recording', RecordingResource);

/** Where a recording's media is fetched: Twilio's `media_url` (no extension means WAV). */
export function recordingMediaUrl(baseUrl: string, accountSid: string, sid: string): string {
  return `${baseUrl}${accountPath(accountSid)}/Recordings/${sid}`;
}

export function serializeRecording(
  r: RecordingEntity,
  baseUrl: string,
): z.infer<typeof RecordingResource> {
  const path = `${accountPath(r.accountSid)}/Recordings/${r.sid}`;
  return {
    account_sid: r.accountSid,
    api_version: API_VERSION,
    call_sid: r.callSid,
    conference_sid: null,
    date_created: rfc2822(r.dateCreated) ?? '',
    date_updated: rfc2822(r.dateUpdated) ?? '',
    start_time: rfc2822(r.startTime) ?? '',
    duration: r.status === 'in-progress' ? '-1' : String(r.duration ?? 0),
    sid: r.sid,
    price: null,
    price_unit: 'USD',
    status: r.status,
    channels: r.channels,
    source: r.source,
    error_code: r.errorCode,
    uri: `${path}.json`,
    encryption_details: null,
    subresource_uris: {
      add_on_results: `${path}/AddOnResults.json`,
      transcriptions: `${path}/Transcriptions.json`,
    },
    media_url: recordingMediaUrl(baseUrl, r.accountSid, r.sid),
    track: r.track,
  };
}

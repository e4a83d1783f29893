import { newSid, StreamMediaFormat, type ErrorCode } from '@parley/contracts';
import { type StreamNoun } from '@parley/twiml';
import { type StreamRequest } from '../runtime/ports';

/** The reserved `<Parameter>` name of Parley's wideband opt-in (Twilio ignores it). */
export const MEDIA_FORMAT_PARAMETER = 'parley.mediaFormat';

/**
 * The stream a `<Stream>` noun asks for: a fresh StreamSid, its `<Parameter>`s as the
 * `customParameters` of Twilio's `start` message (but the reserved `parley.mediaFormat`,
 * which picks the audio format) and its `statusCallback`; not ok (with why) when it has no
 * URL, a bad format or a statusCallback that is not a URL.
 */
export function streamRequestOf(
  noun: StreamNoun,
  bidirectional: boolean,
  /** Resolves `statusCallback` against the document's URL (null: not a valid URL). */
  resolveUrl: (url: string) => string | null = () => null,
): { ok: true; request: StreamRequest } | { ok: false; code: ErrorCode; reason: string } {
  const { url, name, track, statusCallback, statusCallbackMethod } = noun.attributes;
  if (url === undefined || url.trim() === '')
    return { ok: false, code: 31920, reason: 'Stream has no url' };
  const customParameters: Record<string, string> = {};
  let mediaFormat: StreamMediaFormat = 'mulaw-8k';
  for (const parameter of noun.parameters) {
    const { name: key, value } = parameter.attributes;
    if (key === MEDIA_FORMAT_PARAMETER) {
      const format = StreamMediaFormat.safeParse(value);
      if (!format.success) {
        return {
          ok: false,
          code: 12200,
          reason: `${MEDIA_FORMAT_PARAMETER} must be mulaw-8k or l16-16k`,
        };
      }
      mediaFormat = format.data;
      continue;
    }
    customParameters[key] = value;
  }
  let callback: StreamRequest['statusCallback'] = null;
  if (statusCallback !== undefined) {
    const resolved = resolveUrl(statusCallback);
    if (resolved === null) {
      return {
        ok: false,
        code: 11200,
        reason: `Stream statusCallback ${statusCallback.slice(0, 100)} is not a valid URL`,
      };
    }
    callback = { url: resolved, method: statusCallbackMethod };
  }
  return {
    ok: true,
    request: {
      streamSid: newSid('MZ'),
      url: url.trim(),
      ...(name !== undefined ? { name } : {}),
      // <Connect> streams carry what the caller says; Twilio refuses other tracks there.
      track: bidirectional ? 'inbound_track' : track,
      bidirectional,
      customParameters,
      mediaFormat,
      statusCallback: callback,
    },
  };
}

import { newSid } from '@parley/contracts';
import { type StreamNoun } from '@parley/twiml';
import { type StreamRequest } from '../runtime/ports';

/**
 * The stream a `<Stream>` noun asks for: a fresh StreamSid, its `<Parameter>`s as the
 * `customParameters` of Twilio's `start` message; null (with why) when it has no URL.
 */
export function streamRequestOf(
  noun: StreamNoun,
  bidirectional: boolean,
): { ok: true; request: StreamRequest } | { ok: false; reason: string } {
  const { url, name, track } = noun.attributes;
  if (url === undefined || url.trim() === '') return { ok: false, reason: 'Stream has no url' };
  const customParameters: Record<string, string> = {};
  for (const parameter of noun.parameters) {
    customParameters[parameter.attributes.name] = parameter.attributes.value;
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
    },
  };
}

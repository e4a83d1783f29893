import { type RecordingStatusCallbackConfig, RecordingStatus } from '@parley/contracts';

/** `RecordingStatusCallbackEvent`: Twilio's default is `completed` only. */
export function recordingCallbackEvents(
  given: readonly RecordingStatus[],
): RecordingStatusCallbackConfig['events'] {
  // Twilio's order, whatever order they were given in; Twilio's default is `completed`.
  const chosen = RecordingStatus.options.filter((e) => given.includes(e));
  return chosen.length ? chosen : ['completed'];
}

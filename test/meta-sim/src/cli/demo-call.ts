import type { AudioAnalysis } from '../audio/analysis';
import { type MetaSimClient } from '../client/meta-sim-client';
import type { SimCall } from '../sim/types';

/** Above this (RMS of the last second heard) the caller hears something: a prompt, a voice. */
export const HEARD_DBFS = -45;
/** Below this the last second was silence: a prompt has finished. */
export const QUIET_DBFS = -60;

export interface DemoCallOptions {
  /** The simulated WhatsApp user who calls (wa_id, digits). */
  fromUser: string;
  /** The business number called (its phone number id). */
  toBusiness: string;
  /** The key(s) pressed once the menu has been played. */
  press: string;
  /**
   * How much audio (ms) the caller listens to after the IVR answered the key, before hanging
   * up: the message left after `1`, the conversation after `2`. Counted in audio received,
   * not wall time.
   */
  listenMs: number;
  /** Limit for each wait (ms). */
  timeoutMs: number;
}

export interface DemoCallReport {
  callId: string;
  pressed: string;
  /** What the caller heard before pressing (the greeting and the menu). */
  beforePress: AudioAnalysis;
  /** What the caller heard after pressing. */
  afterPress: AudioAnalysis;
  /** The second user's call when the IVR transferred the caller (`<Dial><WhatsApp>`). */
  transfer: { callId: string; to: string; status: SimCall['status'] } | null;
  /** What the caller heard, mono 48 kHz 16-bit WAV. */
  wav: Buffer;
}

/**
 * The newcomer demo as one scripted call: a simulated user calls the business, waits until
 * media flows and the greeting is heard, waits for the menu to finish, presses a key, waits
 * for the IVR's answer (and, when it transfers, for the second user to answer), listens a
 * little, hangs up and returns what it heard. Every wait is for a state of the call or of
 * the audio the caller received, never for a length of wall time.
 */
export async function runDemoCall(
  client: MetaSimClient,
  options: DemoCallOptions,
  log: (line: string) => void = () => undefined,
): Promise<DemoCallReport> {
  const { timeoutMs } = options;
  // Calls the business placed before this one are not the transfer.
  const before = new Set(
    (
      await client.listCalls({ phoneNumberId: options.toBusiness, direction: 'BUSINESS_INITIATED' })
    ).map((c) => c.id),
  );
  const { callId, call } = await client.userCall(options.fromUser, options.toBusiness);
  if (call.status === 'refused') {
    throw new Error(`WhatsApp refused the call before it reached the business (${call.endReason})`);
  }
  log(`calling: ${options.fromUser} -> business ${options.toBusiness} (call ${callId})`);

  const live = (what: string, predicate: (c: SimCall) => boolean) =>
    client
      .waitForCall(callId, (c) => c.status === 'ended' || predicate(c), timeoutMs)
      .then((c) => {
        if (c.status === 'ended')
          throw new Error(`the call ended while waiting for ${what}: ${ended(c)}`);
        return c;
      });

  await live('the answer', (c) => c.status === 'accepted' && c.media.connected);
  log('answered, media connected');
  const greeting = await live('the greeting', (c) => c.media.levelDbfs > HEARD_DBFS);
  const greetingFromMs = Math.max(0, greeting.media.receivedMs - 1_000);
  log('hearing the greeting');
  const menuDone = await live('the menu to finish', (c) => c.media.levelDbfs < QUIET_DBFS);
  const pressedAtMs = menuDone.media.receivedMs;
  log(`menu played; pressing ${options.press}`);
  await client.userSendDigits(callId, options.press);
  await live('the answer to the key', (c) => c.media.levelDbfs > HEARD_DBFS);
  log('the IVR answered the key');

  // The IVR's answer to the key (a prompt, or "connecting you" before a transfer) ends.
  const quiet = await live('the prompt to finish', (c) => c.media.levelDbfs < QUIET_DBFS);
  // Listen: a call the business places meanwhile is the transfer; once it is answered (or
  // over), listen again from there.
  let transfer: DemoCallReport['transfer'] = null;
  let listenFromMs = quiet.media.receivedMs;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const current = await client.getCall(callId);
    if (current.status === 'ended')
      throw new Error(`the call ended while listening: ${ended(current)}`);
    if (transfer === null) {
      const placed = (
        await client.listCalls({
          phoneNumberId: options.toBusiness,
          direction: 'BUSINESS_INITIATED',
        })
      ).find((c) => !before.has(c.id));
      if (placed !== undefined) {
        log(`transferring to ${placed.to}: ringing`);
        const other = await client.waitForCall(
          placed.id,
          (c) => c.status === 'accepted' || c.status === 'ended',
          timeoutMs,
        );
        log(other.status === 'accepted' ? `${other.to} answered` : `${other.to} did not answer`);
        transfer = { callId: other.id, to: other.to, status: other.status };
        listenFromMs = (await client.getCall(callId)).media.receivedMs;
        continue;
      }
    }
    if (current.media.receivedMs >= listenFromMs + options.listenMs) break;
    if (Date.now() > deadline)
      throw new Error(`no ${options.listenMs} ms of audio within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  log('hanging up');
  await client.userHangup(callId);
  await client.waitForCall(callId, (c) => c.status === 'ended', timeoutMs);
  if (transfer !== null && transfer.status === 'accepted') {
    const other = await client.waitForCall(transfer.callId, (c) => c.status === 'ended', timeoutMs);
    transfer = { ...transfer, status: other.status };
  }
  return {
    callId,
    pressed: options.press,
    beforePress: await client.analyseCall(callId, { fromMs: greetingFromMs, toMs: pressedAtMs }),
    afterPress: await client.analyseCall(callId, { fromMs: pressedAtMs }),
    transfer,
    wav: await client.getReceivedWav(callId),
  };
}

function ended(call: SimCall): string {
  const errors = call.errors.map((e) => `${e.code} ${e.message}`).join('; ');
  return `${call.endReason ?? 'unknown reason'}${errors ? ` (${errors})` : ''}`;
}

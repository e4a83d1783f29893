import { type CallSid } from '@parley/contracts';
import { SimulatedMediaPeer } from '@parley/meta-sim';
import { MediaHarness } from './media-harness';

export const TEST_ACCOUNT = `AC${'0'.repeat(32)}`;

export interface ConnectedUser {
  callSid: CallSid;
  peer: SimulatedMediaPeer;
}

/** A WhatsApp user who called in: Meta's offer, Parley's answer, ICE and DTLS done. */
export async function userCallsIn(media: MediaHarness): Promise<ConnectedUser> {
  const callSid = MediaHarness.callSid();
  const peer = await SimulatedMediaPeer.create({ address: '127.0.0.1' });
  try {
    const { sdpAnswer } = await media.request('media.v1.leg.answer', {
      callSid,
      accountSid: TEST_ACCOUNT,
      sdpOffer: await peer.createOffer(),
    });
    await peer.applyAnswer(sdpAnswer);
    await media.waitForEvent('media.v1.leg.connected', (e) => e.callSid === callSid);
    await peer.waitForMedia(10_000);
    return { callSid, peer };
  } catch (error) {
    await peer.close();
    throw error;
  }
}

/** A WhatsApp user the business called: Parley's offer, Meta's answer. */
export async function businessCallsUser(media: MediaHarness): Promise<ConnectedUser> {
  const callSid = MediaHarness.callSid();
  const peer = await SimulatedMediaPeer.create({ address: '127.0.0.1' });
  try {
    const { sdpOffer } = await media.request('media.v1.leg.offer', {
      callSid,
      accountSid: TEST_ACCOUNT,
    });
    const answer = await peer.answerOffer(sdpOffer);
    await media.request('media.v1.leg.apply-answer', { callSid, sdpAnswer: answer });
    await media.waitForEvent('media.v1.leg.connected', (e) => e.callSid === callSid);
    await peer.waitForMedia(10_000);
    return { callSid, peer };
  } catch (error) {
    await peer.close();
    throw error;
  }
}

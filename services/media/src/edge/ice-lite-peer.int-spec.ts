import { createSocket } from 'node:dgram';
import { OpusEncoder, generateTone } from '../audio';
import { LiteUserEngine, type LiteUser } from '../bench/lite-users';
import { MediaClock } from '../legs/media-clock';
import { eventually, MediaHarness } from '../testing/media-harness';
import { TEST_ACCOUNT } from '../testing/whatsapp-user';

async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise<void>((r) => s.close(r));
  return port;
}

/**
 * A second, non-JavaScript ICE-lite implementation on the WhatsApp side: rtpengine in
 * ICE-lite mode, with Meta's SDP shape (session-level `a=ice-lite`, actpass, 111/126).
 * Unlike werift it never answers a check with a role conflict, as Meta's edge may not.
 */
describe('a strictly ICE-lite WhatsApp side', () => {
  let media: MediaHarness;
  let engine: LiteUserEngine;
  const clock = new MediaClock();

  beforeAll(async () => {
    engine = await LiteUserEngine.start({
      ngPort: await freeUdpPort(),
      portMin: 36000,
      portMax: 36199,
    });
    media = await MediaHarness.start({
      label: 'media_lite',
      rtpenginePorts: [32300, 32399],
      mediasoupPorts: [43300, 43399],
    });
  });

  afterAll(async () => {
    await media?.stop();
    await engine?.stop();
  });

  it('connects two such users and bridges them', async () => {
    const encoder = new OpusEncoder();
    const payload = encoder.encode(generateTone(440, 20));
    encoder.delete();
    const users: { callSid: ReturnType<typeof MediaHarness.callSid>; user: LiteUser }[] = [];
    for (const n of [1, 2]) {
      const callSid = MediaHarness.callSid();
      const user = await engine.user(`lite-${n}-${callSid}`, payload);
      const offer = await user.offer();
      expect(offer).toMatch(/^a=ice-lite\r?$/m);
      const { sdpAnswer } = await media.request('media.v1.leg.answer', {
        callSid,
        accountSid: TEST_ACCOUNT,
        sdpOffer: offer,
      });
      await user.applyAnswer(sdpAnswer);
      users.push({ callSid, user });
    }
    const stop = clock.subscribe((tick) => users.forEach((u) => u.user.sendFrame(tick)));
    try {
      for (const { callSid } of users) {
        await media.waitForEvent('media.v1.leg.connected', (e) => e.callSid === callSid);
      }
      const [a, b] = users as [(typeof users)[0], (typeof users)[0]];
      await media.request('media.v1.bridge.create', {
        callSid: a.callSid,
        otherCallSid: b.callSid,
      });
      const before = b.user.packetsReceived;
      await eventually('bridged audio', () =>
        b.user.packetsReceived - before >= 50 ? true : undefined,
      );
    } finally {
      stop();
      for (const u of users) {
        await media.request('media.v1.leg.close', { callSid: u.callSid });
        await u.user.close();
      }
    }
  });
});
